"""When a team's members get the content-free "something is waiting" SMS.

A team lists a few times of day, e.g. ``"öppning, 12:00"``: ``öppning`` is
the day's first opening, whatever it is (08:00 on a weekday, 10:00 on an
extra open Saturday); a wall time counts only when the team is open then.
So a closed day, a weekend or a holiday sends nothing, and the notice never
rings outside the hours staff work. Pure, like the rest of the calendar.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from utvag.calendar.hours import HoursSpecError, OfficeCalendar

OPENING = "öppning"
_OPENING_WORDS = frozenset({OPENING, "oppning", "opening"})
MAX_NOTICE_TIMES = 6
_HHMM = re.compile(r"(\d{1,2})[:.](\d{2})")

NoticeTime = time | None  # None: the day's first opening


def parse_notice_times(text: str) -> tuple[NoticeTime, ...]:
    """The listed times in order, duplicates dropped; HoursSpecError with a
    one-line reason for anything else. Empty text: no notices."""
    found: list[NoticeTime] = []
    for word in (part.strip().casefold() for part in text.split(",")):
        if not word:
            continue
        value: NoticeTime
        if word in _OPENING_WORDS:
            value = None
        else:
            match = _HHMM.fullmatch(word)
            if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
                raise HoursSpecError(f"{word!r} is not a time like 12:00 or 'öppning'")
            value = time(int(match.group(1)), int(match.group(2)))
        if value not in found:
            found.append(value)
    if len(found) > MAX_NOTICE_TIMES:
        raise HoursSpecError(f"at most {MAX_NOTICE_TIMES} notice times a day")
    return tuple(found)


def notice_times_spec(times: tuple[NoticeTime, ...]) -> str:
    """The canonical text, as stored and shown."""
    return ", ".join(OPENING if each is None else each.strftime("%H:%M") for each in times)


def notice_instants(
    calendar: OfficeCalendar, times: tuple[NoticeTime, ...], day: date
) -> list[datetime]:
    """The instants (UTC) on the team's local ``day`` when a notice may go:
    only while the team is open, each instant once, in order."""
    zone = calendar.zone
    start_of_day = datetime.combine(day, time(0), tzinfo=zone)
    openings = list(calendar.open_intervals(start_of_day, start_of_day + timedelta(days=1)))
    instants: set[datetime] = set()
    for each in times:
        if each is None:
            if openings:
                instants.add(openings[0][0].astimezone(zone))
            continue
        instant = datetime.combine(day, each, tzinfo=zone)
        if calendar.is_open(instant):
            instants.add(instant)
    return sorted(instant.astimezone(UTC) for instant in instants)
