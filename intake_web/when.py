"""Telling a person when we expect to call, in their language.

The due time is the one the queue uses (``utvag.calendar.due``): the first open
instant of the team's calendar inside the window the person chose, so what
the page promises and what staff see agree. Times are in the team's zone and
written the way the person's locale writes dates; the page wraps them in
``<bdi>`` so a right-to-left page keeps them readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from utvag.calendar.due import NOON
from utvag.calendar.hours import OfficeCalendar, WeeklyHours

# A due time this close counts as "now": the queue has it at the top.
NOW_MARGIN = timedelta(minutes=5)
# Open now but closing this soon: "now" is not a promise we can keep, so
# the page also says when we open next.
CLOSING_SOON = timedelta(hours=1)


def expected_call(due_at: datetime, timezone: str, lang: str, now: datetime) -> str | None:
    """ "måndag 28 december 08:00", or None when the call is due now."""
    if due_at <= now + NOW_MARGIN:
        return None
    return local_moment(due_at, timezone, lang)


def local_moment(at: datetime, timezone: str, lang: str) -> str:
    """ "måndag 28 december 08:00", in the team's zone and the person's words."""
    local = at.astimezone(ZoneInfo(timezone))
    day = format_date(local.date(), "EEEE d MMMM", locale=lang)
    return f"{day} {format_time(local.time(), 'HH:mm', locale=lang)}"


@dataclass(frozen=True)
class OfficeNow:
    """Whether we are open, until when, and when we open next: what the
    person is told beside "we will call you" or "your message is sent", so
    that a Friday at 15:55 is not promised as "now"."""

    open_now: bool
    # Open now but closing within ``CLOSING_SOON``.
    closing_soon: bool
    closes: str | None  # "16:00", when open now
    opens_next: str  # "måndag 30 november 08:00": after this opening ends, or from now


def office_now(calendar: OfficeCalendar, lang: str, now: datetime) -> OfficeNow:
    closes = calendar.closes_at(now)
    after = closes if closes is not None else now
    return OfficeNow(
        open_now=closes is not None,
        closing_soon=closes is not None and closes - now <= CLOSING_SOON,
        closes=format_time(closes.astimezone(calendar.zone).time(), "HH:mm", locale=lang)
        if closes is not None
        else None,
        opens_next=local_moment(calendar.next_open(after), calendar.timezone, lang),
    )


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


# The example day on the form: about a week ahead, on a day we are open, so
# that typing it is accepted (it never goes stale as a fixed day would).
EXAMPLE_DAYS_AHEAD = 7
_EXAMPLE_SEARCH_DAYS = 30


def example_day(calendar: OfficeCalendar, today: date) -> date:
    """A day a person could choose today: a week ahead, moved on past any
    day we are closed (a weekend, a holiday, the team's own days off)."""
    day = today + timedelta(days=EXAMPLE_DAYS_AHEAD)
    for _ in range(_EXAMPLE_SEARCH_DAYS):
        if not is_closed_all_day(calendar, day):
            return day
        day += timedelta(days=1)
    return today + timedelta(days=EXAMPLE_DAYS_AHEAD)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")
