"""Office hours as people read them: "måndag–fredag 08:00–16:00"."""

from __future__ import annotations

from babel.dates import get_day_names

from utvag.calendar.hours import WeeklyHours


def describe_hours(hours: WeeklyHours, locale: str) -> list[tuple[str, str]]:
    """(days, times) per run of days with the same hours, in the reader's
    language. Kept apart so a right-to-left page can keep the times left to right."""
    names = get_day_names("wide", locale=locale)  # 0 = Monday
    lines: list[tuple[str, str]] = []
    day = 0
    while day < 7:
        intervals = hours.days[day]
        end = day
        while end + 1 < 7 and hours.days[end + 1] == intervals:
            end += 1
        if intervals:
            days = names[day] if day == end else f"{names[day]}–{names[end]}"
            times = ", ".join(
                f"{start.strftime('%H:%M')}–{stop.strftime('%H:%M')}" for start, stop in intervals
            )
            lines.append((days, times))
        day = end + 1
    return lines
