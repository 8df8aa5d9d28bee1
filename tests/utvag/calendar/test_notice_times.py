"""A team's notice times: read, written back, and placed on open days only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from utvag.calendar.hours import HoursSpecError, OfficeCalendar
from utvag.calendar.notice_times import notice_instants, notice_times_spec, parse_notice_times

CALENDAR = OfficeCalendar.build(
    "mon-fri 08:00-16:00",
    "Europe/Stockholm",
    [date(2026, 11, 25)],
    [(date(2026, 11, 28), time(10), time(14))],
)


def test_the_times_are_read_and_written_back_the_same_way() -> None:
    times = parse_notice_times(" Öppning , 12.00, 12:00, opening, 7:05 ")
    assert times == (None, time(12), time(7, 5))
    assert notice_times_spec(times) == "öppning, 12:00, 07:05"
    assert parse_notice_times("") == ()


@pytest.mark.parametrize("text", ["25:00", "12", "lunch", "1,2,3,4,5,6,7".replace(",", ":00,")])
def test_a_time_that_does_not_read_is_refused(text: str) -> None:
    with pytest.raises(HoursSpecError):
        parse_notice_times(text)


def test_notices_fall_only_when_the_team_is_open() -> None:
    times = parse_notice_times("öppning, 12:00, 17:00")
    assert notice_instants(CALENDAR, times, date(2026, 11, 24)) == [
        datetime(2026, 11, 24, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 11, 0, tzinfo=UTC),
    ]
    assert notice_instants(CALENDAR, times, date(2026, 11, 25)) == []  # a closure
    assert notice_instants(CALENDAR, times, date(2026, 11, 29)) == []  # a Sunday
    # The extra open Saturday: its own opening at 10:00, and 12:00.
    assert notice_instants(CALENDAR, times, date(2026, 11, 28)) == [
        datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 28, 11, 0, tzinfo=UTC),
    ]
