"""When a contact is due: the first open slot inside the window the person asked for."""

from __future__ import annotations

import enum
from datetime import datetime, time, timedelta

from utvag.hours import OfficeCalendar

NOON = time(12, 0)
# How far ahead a window is searched; hours are validated to open every week.
SEARCH_DAYS = 60


class CallbackWindow(enum.StrEnum):
    ASAP = "asap"
    MORNING = "morning"
    AFTERNOON = "afternoon"


def due_time(calendar: OfficeCalendar, window: CallbackWindow, now: datetime) -> datetime:
    """The first open instant at or after ``now`` that falls inside ``window``.

    Mornings are before 12:00 local time, afternoons from 12:00. If a team's
    hours never touch the window (say, a team open only in the afternoon and a
    person asking for mornings) the request is due at the next open instant
    rather than never.
    """
    first_open = calendar.next_open(now)
    if window is CallbackWindow.ASAP:
        return first_open
    end = now + timedelta(days=SEARCH_DAYS)
    for start, stop in calendar.open_intervals(now, end):
        local_start = start.astimezone(calendar.zone)
        noon = datetime.combine(local_start.date(), NOON, tzinfo=calendar.zone)
        if window is CallbackWindow.MORNING and local_start < noon:
            return local_start
        if window is CallbackWindow.AFTERNOON:
            if local_start >= noon:
                return local_start
            if stop.astimezone(calendar.zone) > noon:
                return noon
    return first_open
