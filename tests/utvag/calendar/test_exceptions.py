"""Hours with exceptions: a team's closures and extra open days in its calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from utvag.calendar.due import CallbackWindow, due_time
from utvag.calendar.hours import HoursSpecError, OfficeCalendar

STOCKHOLM = "Europe/Stockholm"


def _calendar(
    closed: tuple[date, ...] = (), extra: tuple[tuple[date, time, time], ...] = ()
) -> OfficeCalendar:
    return OfficeCalendar.build("mon-fri 08:00-16:00", STOCKHOLM, closed, extra)


def test_a_closure_over_several_days_moves_the_next_opening_past_it() -> None:
    # Tuesday 1 to Thursday 3 December 2026 closed: Monday evening's request
    # is due Friday at opening.
    calendar = _calendar(closed=(date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)))
    monday_evening = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert calendar.next_open(monday_evening) == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    assert calendar.is_team_closure(date(2026, 12, 2))
    assert not calendar.is_team_closure(date(2026, 12, 5))  # a Saturday is no closure


def test_an_extra_open_saturday_opens_only_in_its_hours() -> None:
    saturday = date(2026, 12, 5)
    calendar = _calendar(extra=((saturday, time(10), time(14)),))
    friday_evening = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    assert calendar.next_open(friday_evening) == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert calendar.is_open(datetime(2026, 12, 5, 12, 59, tzinfo=UTC))
    assert not calendar.is_open(datetime(2026, 12, 5, 13, 0, tzinfo=UTC))  # 14:00 local
    assert calendar.closes_at(datetime(2026, 12, 5, 10, 0, tzinfo=UTC)) == datetime(
        2026, 12, 5, 13, 0, tzinfo=UTC
    )
    # An afternoon asked for on Friday evening: Saturday from 12:00.
    assert due_time(calendar, CallbackWindow.AFTERNOON, friday_evening) == datetime(
        2026, 12, 5, 11, 0, tzinfo=UTC
    )


def test_an_extra_open_day_may_open_a_holiday_and_a_closure_wins_over_everything() -> None:
    epiphany = date(2027, 1, 6)  # trettondedag jul, a Wednesday
    opened = _calendar(extra=((epiphany, time(9), time(12)),))
    assert opened.is_open(datetime(2027, 1, 6, 9, 0, tzinfo=UTC))
    assert not _calendar().is_open(datetime(2027, 1, 6, 9, 0, tzinfo=UTC))
    both = _calendar(closed=(epiphany,), extra=((epiphany, time(9), time(12)),))
    assert not both.is_open(datetime(2027, 1, 6, 9, 0, tzinfo=UTC))


def test_an_extra_open_day_with_hours_that_end_before_they_start_is_refused() -> None:
    with pytest.raises(HoursSpecError, match="must end after it starts"):
        _calendar(extra=((date(2026, 12, 5), time(14), time(10)),))
    with pytest.raises(HoursSpecError, match="twice"):
        _calendar(
            extra=((date(2026, 12, 5), time(9), time(10)), (date(2026, 12, 5), time(11), time(12)))
        )
