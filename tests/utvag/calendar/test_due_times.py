"""A call-back request is due at the first open slot inside the window asked for."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from utvag.calendar.due import CallbackWindow, due_time
from utvag.calendar.hours import OfficeCalendar

STOCKHOLM = ZoneInfo("Europe/Stockholm")
VAGVALET = OfficeCalendar.build("mon-fri 08:00-16:00", "Europe/Stockholm")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("now", "window", "expected"),
    [
        ("2026-11-24 10:00", CallbackWindow.ASAP, "2026-11-24 10:00"),
        ("2026-11-24 10:00", CallbackWindow.MORNING, "2026-11-24 10:00"),
        ("2026-11-24 10:00", CallbackWindow.AFTERNOON, "2026-11-24 12:00"),
        ("2026-11-24 13:00", CallbackWindow.MORNING, "2026-11-25 08:00"),
        ("2026-11-24 13:00", CallbackWindow.AFTERNOON, "2026-11-24 13:00"),
        ("2026-11-24 18:00", CallbackWindow.AFTERNOON, "2026-11-25 12:00"),
        ("2026-11-27 17:00", CallbackWindow.MORNING, "2026-11-30 08:00"),  # Friday evening
        ("2026-12-23 15:00", CallbackWindow.AFTERNOON, "2026-12-23 15:00"),
        ("2026-12-23 16:30", CallbackWindow.ASAP, "2026-12-28 08:00"),  # julafton and juldagar
        ("2026-06-18 17:00", CallbackWindow.AFTERNOON, "2026-06-22 12:00"),  # midsommar
    ],
)
def test_due_time_in_each_window(now: str, window: CallbackWindow, expected: str) -> None:
    assert due_time(VAGVALET, window, at(now)) == at(expected)


def test_a_chosen_day_is_due_when_that_day_opens() -> None:
    due = due_time(VAGVALET, CallbackWindow.DAY, at("2026-11-24 10:00"), date(2026, 12, 3))
    assert due == at("2026-12-03 08:00")


def test_a_chosen_day_that_is_closed_is_due_at_the_next_opening() -> None:
    due = due_time(VAGVALET, CallbackWindow.DAY, at("2026-11-24 10:00"), date(2026, 12, 24))
    assert due == at("2026-12-28 08:00")


def test_choosing_today_during_hours_is_due_now() -> None:
    due = due_time(VAGVALET, CallbackWindow.DAY, at("2026-11-24 10:00"), date(2026, 11, 24))
    assert due == at("2026-11-24 10:00")


def test_a_team_closed_day_moves_the_due_time() -> None:
    calendar = OfficeCalendar.build("mon-fri 08:00-16:00", "Europe/Stockholm", [date(2026, 11, 25)])
    assert due_time(calendar, CallbackWindow.ASAP, at("2026-11-24 17:00")) == at("2026-11-26 08:00")


def test_a_window_the_team_never_opens_in_falls_back_to_the_next_opening() -> None:
    afternoons_only = OfficeCalendar.build("mon-fri 13:00-16:00", "Europe/Stockholm")
    due = due_time(afternoons_only, CallbackWindow.MORNING, at("2026-11-24 09:00"))
    assert due == at("2026-11-24 13:00")


def test_goteborg_hours_nine_to_three() -> None:
    goteborg = OfficeCalendar.build("mon-fri 09:00-15:00", "Europe/Stockholm")
    assert due_time(goteborg, CallbackWindow.ASAP, at("2026-11-24 15:00")) == at("2026-11-25 09:00")
