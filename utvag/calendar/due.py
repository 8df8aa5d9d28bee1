"""When a contact is due: the first open slot inside the window the person asked for."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta

from utvag.calendar.hours import OfficeCalendar

NOON = time(12, 0)
# How far ahead a window is searched; hours are validated to open every week.
SEARCH_DAYS = 60


class CallbackWindow(enum.StrEnum):
    ASAP = "asap"
    MORNING = "morning"
    AFTERNOON = "afternoon"
    # A specific day the person chose (stored in Contact.callback_day).
    DAY = "day"


def due_time(
    calendar: OfficeCalendar,
    window: CallbackWindow,
    now: datetime,
    day: date | None = None,
) -> datetime:
    """The first open instant at or after ``now`` that falls inside ``window``.

    Mornings are before 12:00 local time, afternoons from 12:00; a specific
    day means from the start of that day. If a team's hours never touch the
    window (a team open only in the afternoon, a person asking for mornings;
    a chosen day that turns out to be closed) the request is due at the next
    open instant after it rather than never.
    """
    if window is CallbackWindow.DAY and day is not None:
        start_of_day = datetime.combine(day, time(0, 0), tzinfo=calendar.zone)
        return calendar.next_open(max(now, start_of_day))
    first_open = calendar.next_open(now)
    if window in (CallbackWindow.ASAP, CallbackWindow.DAY):
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
