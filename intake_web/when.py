"""Telling a person when we expect to call, in their language.

The due time is the one the queue uses (``utvag.calendar.due``): the first open
instant of the team's calendar inside the window the person chose, so what
the page promises and what staff see agree. Times are in the team's zone and
written the way the person's locale writes dates; the page wraps them in
``<bdi>`` so a right-to-left page keeps them readable.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from utvag.calendar.due import NOON
from utvag.calendar.hours import OfficeCalendar, WeeklyHours

# A due time this close counts as "now": the queue has it at the top.
NOW_MARGIN = timedelta(minutes=5)


def expected_call(due_at: datetime, timezone: str, lang: str, now: datetime) -> str | None:
    """ "måndag 28 december 08:00", or None when the call is due now."""
    if due_at <= now + NOW_MARGIN:
        return None
    local = due_at.astimezone(ZoneInfo(timezone))
    day = format_date(local.date(), "EEEE d MMMM", locale=lang)
    return f"{day} {format_time(local.time(), 'HH:mm', locale=lang)}"


def window_hours(hours_spec: str) -> dict[str, tuple[str, str]]:
    """What "mornings" and "afternoons" mean for this team: from the earliest
    opening to 12:00, and from 12:00 to the latest closing (left out when
    the team is never open on that side of noon)."""
    intervals = [each for day in WeeklyHours.parse(hours_spec).days for each in day]
    opens = min(start for start, _ in intervals)
    closes = max(end for _, end in intervals)
    shown: dict[str, tuple[str, str]] = {}
    if opens < NOON:
        shown["morning"] = (_hhmm(opens), _hhmm(min(closes, NOON)))
    if closes > NOON:
        shown["afternoon"] = (_hhmm(max(opens, NOON)), _hhmm(closes))
    return shown


def is_closed_all_day(calendar: OfficeCalendar, day: date) -> bool:
    """No open minute on that day: a weekend, a holiday, a team's closed day."""
    start = datetime.combine(day, time(0), tzinfo=calendar.zone)
    return next(iter(calendar.open_intervals(start, start + timedelta(days=1))), None) is None


def closed_today_until(calendar: OfficeCalendar, lang: str, now: datetime) -> str | None:
    """When we call at the earliest, if the team closed today itself (a
    closure, not a weekend or holiday, which the hours already say), else
    None. The closure's reason is never shown: it is the team's business."""
    today = now.astimezone(calendar.zone).date()
    if not calendar.is_team_closure(today):
        return None
    opens = calendar.next_open(now)
    return expected_call(opens, calendar.timezone, lang, now - 2 * NOW_MARGIN)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")
