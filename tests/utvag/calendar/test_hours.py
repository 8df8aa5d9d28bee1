"""Pins the office-hours calendar against the real Swedish calendar for 2026–2030.

Expected values are written as ISO strings with offsets so that a wrong DST
offset fails as loudly as a wrong day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utvag.calendar.hours import (
    DEFAULT_HOURS_SPEC,
    DEFAULT_TIMEZONE,
    HoursSpecError,
    OfficeCalendar,
    WeeklyHours,
    parse_instant,
    swedish_days_off,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEW_YORK = ZoneInfo("America/New_York")
VAGVALET = OfficeCalendar.build()
GOTEBORG = OfficeCalendar.build("mon-fri 09:00-15:00")

# Hypothesis writes no example database: other engineers share this checkout.
PROPERTY = settings(max_examples=150, deadline=None, database=None)


def at(text: str) -> datetime:
    """An aware instant; every test input carries its offset explicitly."""
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None
    return value


# --- defaults and holidays ---------------------------------------------------------------


def test_defaults_are_vagvalets_hours() -> None:
    assert DEFAULT_HOURS_SPEC == "mon-fri 08:00-16:00"
    assert DEFAULT_TIMEZONE == "Europe/Stockholm"
    assert (
        OfficeCalendar(hours=WeeklyHours.parse("mon-fri 08:00-16:00"), timezone="Europe/Stockholm")
        == VAGVALET
    )
    assert VAGVALET.zone == STOCKHOLM


def test_swedish_days_off_2026_has_public_and_de_facto_days_only() -> None:
    days = swedish_days_off(2026)
    assert len(days) == 16
    assert days[date(2026, 6, 19)] == "Midsommarafton"
    assert days[date(2026, 12, 24)] == "Julafton"
    assert days[date(2026, 12, 31)] == "Nyårsafton"
    assert days[date(2026, 1, 6)] == "Trettondedag jul"
    assert date(2026, 4, 2) not in days  # skärtorsdag is a working day
    assert date(2026, 5, 15) not in days  # the "klämdag" after Kristi himmelsfärd too
    assert all(day.year == 2026 for day in days)
    ordinary_sundays = [day for day in days if day.weekday() == 6 and "dag" not in days[day]]
    assert ordinary_sundays == []


def test_swedish_days_off_returns_a_copy() -> None:
    swedish_days_off(2027).clear()
    assert date(2027, 12, 24) in swedish_days_off(2027)
    assert VAGVALET.is_day_off(date(2027, 12, 24))


@pytest.mark.parametrize(
    ("day", "off"),
    [
        (date(2026, 1, 1), True),  # nyårsdagen
        (date(2026, 1, 6), True),  # trettondedag jul
        (date(2027, 3, 25), False),  # skärtorsdag
        (date(2027, 3, 26), True),  # långfredagen
        (date(2027, 3, 29), True),  # annandag påsk
        (date(2026, 5, 1), True),  # första maj
        (date(2026, 5, 14), True),  # Kristi himmelsfärdsdag
        (date(2028, 6, 6), True),  # nationaldagen, a Tuesday
        (date(2026, 6, 19), True),  # midsommarafton
        (date(2026, 12, 24), True),  # julafton
        (date(2026, 12, 31), True),  # nyårsafton
        (date(2026, 12, 23), False),
        (date(2026, 3, 10), False),
        (date(2026, 3, 14), False),  # a Saturday is not a day off, just not in the hours
    ],
)
def test_is_day_off(day: date, off: bool) -> None:
    assert VAGVALET.is_day_off(day) is off


def test_is_day_off_rejects_a_datetime() -> None:
    with pytest.raises(TypeError):
        VAGVALET.is_day_off(datetime(2026, 12, 24, 9, 0, tzinfo=STOCKHOLM))


# --- next_open on Vägvalet's calendar ----------------------------------------------------

NEXT_OPEN_CASES = [
    # inside hours: the same instant
    ("2026-03-10T10:15:00+01:00", "2026-03-10T10:15:00+01:00"),
    ("2026-03-10T08:00:00+01:00", "2026-03-10T08:00:00+01:00"),
    ("2026-03-10T15:59:59.999999+01:00", "2026-03-10T15:59:59.999999+01:00"),
    # before opening, and 16:00 sharp is closed
    ("2026-03-10T07:59:00+01:00", "2026-03-10T08:00:00+01:00"),
    ("2026-03-10T16:00:00+01:00", "2026-03-11T08:00:00+01:00"),
    ("2026-03-10T23:59:59+01:00", "2026-03-11T08:00:00+01:00"),
    # Friday evening and Saturday → Monday
    ("2026-03-13T16:00:00+01:00", "2026-03-16T08:00:00+01:00"),
    ("2026-03-13T21:30:00+01:00", "2026-03-16T08:00:00+01:00"),
    ("2026-03-14T11:00:00+01:00", "2026-03-16T08:00:00+01:00"),
    ("2026-03-15T23:59:00+01:00", "2026-03-16T08:00:00+01:00"),
    # midsommarafton (Friday) → Monday
    ("2026-06-18T16:00:00+02:00", "2026-06-22T08:00:00+02:00"),
    ("2026-06-19T09:00:00+02:00", "2026-06-22T08:00:00+02:00"),
    ("2030-06-20T17:00:00+02:00", "2030-06-24T08:00:00+02:00"),
    # julafton (Thursday), juldagen, annandag jul, weekend
    ("2026-12-23T16:30:00+01:00", "2026-12-28T08:00:00+01:00"),
    ("2026-12-24T10:00:00+01:00", "2026-12-28T08:00:00+01:00"),
    # julafton on a Monday: closed Mon–Wed
    ("2029-12-21T16:00:00+01:00", "2029-12-27T08:00:00+01:00"),
    # nyårsafton (Thursday), then nyårsdagen on Friday
    ("2026-12-31T08:00:00+01:00", "2027-01-04T08:00:00+01:00"),
    ("2026-12-30T15:59:00+01:00", "2026-12-30T15:59:00+01:00"),
    # trettondedag jul
    ("2026-01-05T16:00:00+01:00", "2026-01-07T08:00:00+01:00"),
    ("2027-01-06T10:00:00+01:00", "2027-01-07T08:00:00+01:00"),
    # Easter 2027: skärtorsdag open; långfredag, annandag påsk off; DST on påskdagen
    ("2027-03-25T10:00:00+01:00", "2027-03-25T10:00:00+01:00"),
    ("2027-03-25T16:00:00+01:00", "2027-03-30T08:00:00+02:00"),
    ("2027-03-26T09:00:00+01:00", "2027-03-30T08:00:00+02:00"),
    ("2027-03-29T12:00:00+02:00", "2027-03-30T08:00:00+02:00"),
    # Kristi himmelsfärdsdag (Thursday); the Friday after is a working day
    ("2026-05-13T16:00:00+02:00", "2026-05-15T08:00:00+02:00"),
    ("2026-05-14T12:00:00+02:00", "2026-05-15T08:00:00+02:00"),
    # första maj on a Friday
    ("2026-04-30T17:00:00+02:00", "2026-05-04T08:00:00+02:00"),
    # nationaldagen on a Tuesday
    ("2028-06-05T16:00:00+02:00", "2028-06-07T08:00:00+02:00"),
    ("2028-06-06T08:00:00+02:00", "2028-06-07T08:00:00+02:00"),
    # DST spring forward, Sunday 2026-03-29 02:00 → 03:00
    ("2026-03-27T16:00:00+01:00", "2026-03-30T08:00:00+02:00"),
    ("2026-03-29T01:30:00Z", "2026-03-30T08:00:00+02:00"),
    ("2026-03-30T06:00:00Z", "2026-03-30T08:00:00+02:00"),
    ("2026-03-30T06:30:00Z", "2026-03-30T08:30:00+02:00"),
    # DST fall back, Sunday 2026-10-25 03:00 → 02:00 (both passes of 02:30)
    ("2026-10-23T16:00:00+02:00", "2026-10-26T08:00:00+01:00"),
    ("2026-10-25T00:30:00Z", "2026-10-26T08:00:00+01:00"),
    ("2026-10-25T01:30:00Z", "2026-10-26T08:00:00+01:00"),
    ("2026-10-26T07:00:00Z", "2026-10-26T08:00:00+01:00"),
    # UTC input is converted, not read as local time
    ("2026-03-10T07:00:00Z", "2026-03-10T08:00:00+01:00"),
    ("2026-03-10T06:59:00+00:00", "2026-03-10T08:00:00+01:00"),
    ("2026-03-10T15:00:00Z", "2026-03-11T08:00:00+01:00"),
    ("2026-06-10T06:30:00Z", "2026-06-10T08:30:00+02:00"),
    ("2026-06-10T14:00:00Z", "2026-06-11T08:00:00+02:00"),
]


@pytest.mark.parametrize(("given_at", "expected"), NEXT_OPEN_CASES)
def test_next_open_vagvalet(given_at: str, expected: str) -> None:
    result = VAGVALET.next_open(at(given_at))
    assert result.isoformat() == expected
    assert result.tzinfo == STOCKHOLM
    assert VAGVALET.is_open(result)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        # The US switched to summer time on 2026-03-08, Sweden on 03-29: in between
        # New York is five hours behind Stockholm, not six.
        (datetime(2026, 3, 10, 2, 0, tzinfo=NEW_YORK), "2026-03-10T08:00:00+01:00"),
        (datetime(2026, 3, 10, 3, 0, tzinfo=NEW_YORK), "2026-03-10T08:00:00+01:00"),
        (datetime(2026, 3, 10, 3, 30, tzinfo=NEW_YORK), "2026-03-10T08:30:00+01:00"),
        (datetime(2026, 3, 13, 10, 30, tzinfo=NEW_YORK), "2026-03-13T15:30:00+01:00"),
        (datetime(2026, 3, 13, 11, 0, tzinfo=NEW_YORK), "2026-03-16T08:00:00+01:00"),
        (datetime(2026, 7, 1, 2, 0, tzinfo=NEW_YORK), "2026-07-01T08:00:00+02:00"),
        (datetime(2026, 12, 23, 10, 0, tzinfo=NEW_YORK), "2026-12-28T08:00:00+01:00"),
    ],
)
def test_next_open_from_another_zone(local: datetime, expected: str) -> None:
    result = VAGVALET.next_open(local)
    assert result.isoformat() == expected
    assert result >= local


def test_next_open_keeps_the_instant_when_open() -> None:
    given_at = datetime(2026, 9, 15, 7, 45, 12, 345, tzinfo=UTC)
    result = VAGVALET.next_open(given_at)
    assert result == given_at
    assert result.isoformat() == "2026-09-15T09:45:12.000345+02:00"


def test_team_closed_day() -> None:
    calendar = OfficeCalendar.build(closed_days=[date(2026, 9, 14), date(2026, 9, 15)])
    assert calendar.is_day_off(date(2026, 9, 14))
    assert not VAGVALET.is_day_off(date(2026, 9, 14))
    assert not calendar.is_open(at("2026-09-14T10:00:00+02:00"))
    assert calendar.next_open(at("2026-09-11T16:00:00+02:00")).isoformat() == (
        "2026-09-16T08:00:00+02:00"
    )
    assert calendar.closed_days == frozenset({date(2026, 9, 14), date(2026, 9, 15)})


def test_closed_days_must_be_dates() -> None:
    with pytest.raises(HoursSpecError, match="must be a date"):
        OfficeCalendar.build(closed_days=[datetime(2026, 9, 14, 0, 0)])


@pytest.mark.parametrize(
    ("given_at", "expected"),
    [
        ("2026-03-10T08:30:00+01:00", "2026-03-10T09:00:00+01:00"),
        ("2026-03-10T09:00:00+01:00", "2026-03-10T09:00:00+01:00"),
        ("2026-03-10T14:59:00+01:00", "2026-03-10T14:59:00+01:00"),
        ("2026-03-10T15:00:00+01:00", "2026-03-11T09:00:00+01:00"),
        ("2026-06-19T08:00:00+02:00", "2026-06-22T09:00:00+02:00"),
    ],
)
def test_next_open_goteborg(given_at: str, expected: str) -> None:
    assert GOTEBORG.next_open(at(given_at)).isoformat() == expected


def test_split_day_and_friday_hours() -> None:
    calendar = OfficeCalendar.build("mon-thu 08:00-12:00 13:00-16:00, fri 08:00-15:00")
    assert calendar.is_open(at("2026-03-10T11:59:00+01:00"))
    assert not calendar.is_open(at("2026-03-10T12:30:00+01:00"))
    assert calendar.next_open(at("2026-03-10T12:00:00+01:00")).isoformat() == (
        "2026-03-10T13:00:00+01:00"
    )
    assert calendar.next_open(at("2026-03-13T15:00:00+01:00")).isoformat() == (
        "2026-03-16T08:00:00+01:00"
    )
    assert calendar.closes_at(at("2026-03-10T09:00:00+01:00")) == at("2026-03-10T12:00:00+01:00")
    assert calendar.closes_at(at("2026-03-13T09:00:00+01:00")) == at("2026-03-13T15:00:00+01:00")


# --- DST edge cases with hours inside the transition --------------------------------------


def test_opening_in_the_spring_gap_starts_when_the_clock_allows() -> None:
    calendar = OfficeCalendar.build("sun 02:30-04:00")
    result = calendar.next_open(at("2026-03-29T00:00:00+01:00"))
    assert result.isoformat() == "2026-03-29T03:00:00+02:00"
    assert result == at("2026-03-29T01:00:00+00:00")
    assert not calendar.is_open(at("2026-03-29T00:59:59+00:00"))
    assert calendar.is_open(at("2026-03-29T01:00:00+00:00"))
    assert calendar.closes_at(result) == at("2026-03-29T04:00:00+02:00")
    # On an ordinary Sunday the spec means exactly what it says.
    assert calendar.next_open(at("2026-03-22T00:00:00+01:00")).isoformat() == (
        "2026-03-22T02:30:00+01:00"
    )


def test_opening_in_the_autumn_fold_uses_the_earlier_instant() -> None:
    calendar = OfficeCalendar.build("sun 02:30-04:00")
    result = calendar.next_open(at("2026-10-25T00:00:00+02:00"))
    assert result.isoformat() == "2026-10-25T02:30:00+02:00"
    assert result.fold == 0
    # PEP 495: a time in a repeated hour never compares equal to another zone's
    # datetime, so compare in UTC.
    assert result != at("2026-10-25T00:30:00+00:00")
    assert result.astimezone(UTC) == at("2026-10-25T00:30:00+00:00")
    # Open through the repeated hour: 02:45 on the second pass is still open.
    assert calendar.is_open(at("2026-10-25T02:45:00+01:00"))
    assert calendar.closes_at(result) == at("2026-10-25T04:00:00+01:00")


def test_interval_entirely_in_the_spring_gap_does_not_open() -> None:
    calendar = OfficeCalendar.build("sun 02:00-02:45")
    result = calendar.next_open(at("2026-03-29T00:00:00+01:00"))
    # 2026-04-05 is påskdagen, so the next Sunday that opens is 04-12.
    assert result.isoformat() == "2026-04-12T02:00:00+02:00"


def test_interval_ending_in_the_spring_gap_ends_at_the_transition() -> None:
    calendar = OfficeCalendar.build("sun 01:00-02:30")
    assert calendar.closes_at(at("2026-03-29T01:30:00+01:00")) == at("2026-03-29T03:00:00+02:00")


def test_default_hours_across_dst_weekends() -> None:
    intervals = list(
        VAGVALET.open_intervals(at("2026-03-27T00:00:00+01:00"), at("2026-03-31T00:00:00+02:00"))
    )
    assert [(s.isoformat(), e.isoformat()) for s, e in intervals] == [
        ("2026-03-27T08:00:00+01:00", "2026-03-27T16:00:00+01:00"),
        ("2026-03-30T08:00:00+02:00", "2026-03-30T16:00:00+02:00"),
    ]
    # Eight hours of real time each day, on both sides of the change.
    assert all(e - s == timedelta(hours=8) for s, e in intervals)


# --- is_open, closes_at, open_intervals ---------------------------------------------------


@pytest.mark.parametrize(
    ("given_at", "is_open", "closes"),
    [
        ("2026-03-10T08:00:00+01:00", True, "2026-03-10T16:00:00+01:00"),
        ("2026-03-10T07:00:00Z", True, "2026-03-10T16:00:00+01:00"),
        ("2026-03-10T15:59:59+01:00", True, "2026-03-10T16:00:00+01:00"),
        ("2026-03-10T16:00:00+01:00", False, None),
        ("2026-03-10T07:59:59+01:00", False, None),
        ("2026-03-14T10:00:00+01:00", False, None),
        ("2026-12-24T10:00:00+01:00", False, None),
        ("2026-06-10T14:00:00Z", False, None),
        ("2026-06-10T13:59:00Z", True, "2026-06-10T16:00:00+02:00"),
    ],
)
def test_is_open_and_closes_at(given_at: str, is_open: bool, closes: str | None) -> None:
    assert VAGVALET.is_open(at(given_at)) is is_open
    result = VAGVALET.closes_at(at(given_at))
    assert (None if result is None else result.isoformat()) == closes


def test_open_intervals_christmas_week() -> None:
    intervals = list(
        VAGVALET.open_intervals(at("2026-12-21T00:00:00+01:00"), at("2027-01-08T00:00:00+01:00"))
    )
    assert [s.date() for s, _ in intervals] == [
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2026, 12, 28),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2027, 1, 4),
        date(2027, 1, 5),
        date(2027, 1, 7),
    ]
    assert all(s.time() == time(8) and e.time() == time(16) for s, e in intervals)
    assert all(s.tzinfo == STOCKHOLM and e.tzinfo == STOCKHOLM for s, e in intervals)


def test_open_intervals_are_clipped_to_the_window() -> None:
    intervals = list(
        VAGVALET.open_intervals(at("2026-03-10T10:00:00Z"), at("2026-03-11T12:00:00+01:00"))
    )
    assert [(s.isoformat(), e.isoformat()) for s, e in intervals] == [
        ("2026-03-10T11:00:00+01:00", "2026-03-10T16:00:00+01:00"),
        ("2026-03-11T08:00:00+01:00", "2026-03-11T12:00:00+01:00"),
    ]


def test_open_intervals_afternoon_window_on_a_closed_afternoon() -> None:
    window = VAGVALET.open_intervals(
        at("2026-03-10T16:00:00+01:00"), at("2026-03-10T20:00:00+01:00")
    )
    assert list(window) == []


def test_open_intervals_empty_or_reversed_window() -> None:
    t = at("2026-03-10T10:00:00+01:00")
    assert list(VAGVALET.open_intervals(t, t)) == []
    assert list(VAGVALET.open_intervals(t, t - timedelta(hours=1))) == []


@pytest.mark.parametrize(
    "call",
    [
        lambda t: VAGVALET.is_open(t),
        lambda t: VAGVALET.next_open(t),
        lambda t: VAGVALET.closes_at(t),
        lambda t: VAGVALET.open_intervals(t, t + timedelta(days=1)),
        lambda t: VAGVALET.open_intervals(t.replace(tzinfo=UTC), t),
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2026, 3, 10, 10, 0))


# --- calendar validation -----------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Not/AZone", "", "Europe", "../etc/passwd", "europe stockholm"])
def test_unknown_timezone_is_refused(zone: str) -> None:
    with pytest.raises(HoursSpecError, match="timezone") as excinfo:
        OfficeCalendar.build(timezone=zone)
    assert "\n" not in str(excinfo.value)


def test_other_timezone_calendar() -> None:
    calendar = OfficeCalendar.build("mon-fri 09:00-17:00", timezone="America/New_York")
    result = calendar.next_open(at("2026-03-10T12:00:00+01:00"))
    assert result.isoformat() == "2026-03-10T09:00:00-04:00"
    assert result.tzinfo == NEW_YORK


def test_a_calendar_that_can_never_open_raises() -> None:
    calendar = OfficeCalendar.build("sun 02:10-02:40", timezone="Europe/Stockholm")
    # Only closed if every Sunday is skipped; fake that with a year of closed days.
    start = date(2026, 3, 1)
    closed = {start + timedelta(days=n) for n in range(500)}
    calendar = OfficeCalendar(calendar.hours, calendar.timezone, frozenset(closed))
    with pytest.raises(HoursSpecError, match="no open hours within"):
        calendar.next_open(at("2026-03-02T00:00:00+01:00"))


# --- spec parsing ----------------------------------------------------------------------

WEEKDAYS_8_16 = ((time(8), time(16)),)


@pytest.mark.parametrize(
    ("spec", "canonical"),
    [
        ("mon-fri 08:00-16:00", "mon-fri 08:00-16:00"),
        ("MON-FRI 08:00-16:00", "mon-fri 08:00-16:00"),
        ("Mon-Fri 8:00-16:00", "mon-fri 08:00-16:00"),
        ("mån-fre 08:00-16:00", "mon-fri 08:00-16:00"),
        ("MÅN-FRE 08:00-16:00", "mon-fri 08:00-16:00"),
        ("ma\u030an-fre 08:00-16:00", "mon-fri 08:00-16:00"),  # decomposed å
        ("  mon-fri   08:00 - 16:00  ", "mon-fri 08:00-16:00"),
        ("mon–fri 08:00–16:00", "mon-fri 08:00-16:00"),  # en dashes
        ("mon,tue,wed,thu,fri 08:00-16:00", "mon-fri 08:00-16:00"),
        ("mon-wed, thu-fri 08:00-16:00", "mon-fri 08:00-16:00"),
        ("mon-fri 09:00-15:00", "mon-fri 09:00-15:00"),
        ("mon-thu 08:00-16:00, fri 08:00-15:00", "mon-thu 08:00-16:00, fri 08:00-15:00"),
        ("fri 08:00-15:00, mon-thu 08:00-16:00", "mon-thu 08:00-16:00, fri 08:00-15:00"),
        ("mon,wed 08:00-12:00 13:00-16:00", "mon,wed 08:00-12:00 13:00-16:00"),
        ("mon, wed 13:00-16:00 08:00-12:00", "mon,wed 08:00-12:00 13:00-16:00"),
        ("tis,tor 10:00-14:00", "tue,thu 10:00-14:00"),
        ("lör-sön 10:00-14:00", "sat-sun 10:00-14:00"),
        ("sun 00:00-23:59", "sun 00:00-23:59"),
        ("mon-mon 08:00-09:00", "mon 08:00-09:00"),
        ("mon-fri 08:00-16:00,sat 10:00-12:00", "mon-fri 08:00-16:00, sat 10:00-12:00"),
        ("mon,fri-sun 08:00-16:00", "mon,fri-sun 08:00-16:00"),
    ],
)
def test_spec_accepted(spec: str, canonical: str) -> None:
    hours = WeeklyHours.parse(spec)
    assert hours.spec == canonical
    assert str(hours) == canonical
    assert WeeklyHours.parse(canonical) == hours


def test_spec_structure() -> None:
    hours = WeeklyHours.parse("mon-thu 08:00-16:00, fri 08:00-15:00")
    assert hours.days == (
        WEEKDAYS_8_16,
        WEEKDAYS_8_16,
        WEEKDAYS_8_16,
        WEEKDAYS_8_16,
        ((time(8), time(15)),),
        (),
        (),
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("fri-mon 08:00-16:00", "runs backwards"),
        ("sön-mån 08:00-16:00", "runs backwards"),
        ("mon-fri", "must end with an interval"),
        ("08:00-16:00", "no day before it"),
        ("mon-fri 16:00-08:00", "must end after it starts"),
        ("mon-fri 08:00-08:00", "must end after it starts"),
        ("mon-fri 08:00-16:00, wed 10:00-12:00", "wed is listed twice"),
        ("mon,mon 08:00-16:00", "mon is listed twice"),
        ("mon-fri,wed 08:00-16:00", "wed is listed twice"),
        ("mån-fre 08:00-16:00, mon 17:00-18:00", "mon is listed twice"),
        ("mon-fri 08:00-12:00 11:00-16:00", "overlaps"),
        ("mon-fri 08:00-12:00 12:00-16:00", "must be written as one"),
        ("mon-fri 08:00-16:00 08:00-16:00", "overlaps"),
        ("mon-fri 25:00-26:00", "not a time of day"),
        ("mon-fri 08:60-16:00", "not a time of day"),
        ("mon-fri 08:00-24:00", "not a time of day"),
        ("monday 08:00-16:00", "unknown day"),
        ("xyz 08:00-16:00", "unknown day"),
        ("mon-xyz 08:00-16:00", "unknown day"),
        ("mon-fri 08:00-16:00,", "must end with an interval"),
        ("mon-fri 08:00-16:00 extra", "not an interval"),
        ("mon-fri 0800-1600", "not an interval"),
        ("mon-fri 8-16", "not an interval"),
        ("mon-fri 08:00-16:00-18:00", "not an interval"),
        ("mon-fri 08:00:00-16:00:00", "not an interval"),
        ("mon,,tue 08:00-16:00", "unexpected comma"),
        (", mon 08:00-16:00", "unexpected comma"),
        ("mon, 08:00-16:00", "no day before it"),
        ("mon-fri, 08:00-16:00", "no day before it"),
        ("mon- 08:00-16:00", "not an interval"),
        ("mon fri 08:00-16:00", "not an interval"),
        ("mon-tue-wed 08:00-16:00", "not a day or day range"),
        ("mon_fri 08:00-16:00", "not a day or day range"),
        ("mon-fri 08:00-16:00\nsat 10:00-12:00", "not an interval"),
    ],
)
def test_spec_rejected(spec: str, message: str) -> None:
    with pytest.raises(HoursSpecError, match=message) as excinfo:
        WeeklyHours.parse(spec)
    assert "\n" not in str(excinfo.value)


def test_week_without_hours_is_rejected() -> None:
    with pytest.raises(HoursSpecError, match="no open hours"):
        WeeklyHours(days=((),) * 7)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ((WEEKDAYS_8_16,) * 6, "7 days"),
        ((((time(16), time(8)),),) + ((),) * 6, "must end after it starts"),
        ((((time(13), time(16)), (time(8), time(12))),) + ((),) * 6, "comes before"),
        ((((time(8, 0, 30), time(16)),),) + ((),) * 6, "whole minutes"),
        ((((time(8, tzinfo=UTC), time(16, tzinfo=UTC)),),) + ((),) * 6, "local times"),
    ],
)
def test_weekly_hours_validates_direct_construction(
    days: tuple[tuple[tuple[time, time], ...], ...], message: str
) -> None:
    with pytest.raises(HoursSpecError, match=message):
        WeeklyHours(days=days)


def test_hours_spec_error_is_a_value_error() -> None:
    assert issubclass(HoursSpecError, ValueError)


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    days = []
    for _ in range(7):
        minutes = sorted(draw(st.lists(st.integers(0, 23 * 60 + 59), unique=True, max_size=6)))
        if len(minutes) % 2:
            minutes.pop()
        days.append(
            tuple(
                (time(*divmod(a, 60)), time(*divmod(b, 60)))
                for a, b in zip(minutes[::2], minutes[1::2], strict=True)
            )
        )
    if not any(days):
        days[draw(st.integers(0, 6))] = ((time(8), time(16)),)
    return WeeklyHours(days=tuple(days))


@PROPERTY
@given(weekly_hours())
def test_spec_round_trip(hours: WeeklyHours) -> None:
    spec = str(hours)
    parsed = WeeklyHours.parse(spec)
    assert parsed == hours
    assert parsed.spec == spec
    assert WeeklyHours.parse(spec.upper()) == hours


@PROPERTY
@given(st.text(alphabet="monfriåsödtuewhal0123456789:- ,–\t", max_size=40) | st.text(max_size=30))
def test_parse_fails_only_with_hours_spec_error(spec: str) -> None:
    hours: WeeklyHours | None = None
    message = ""
    try:
        hours = WeeklyHours.parse(spec)
    except HoursSpecError as error:
        message = str(error)
    if hours is None:
        assert message
        assert "\n" not in message
    else:
        assert WeeklyHours.parse(hours.spec) == hours


# --- properties of next_open over five years -----------------------------------------------

CALENDARS = [
    VAGVALET,
    GOTEBORG,
    OfficeCalendar.build("mon,wed 08:00-12:00 13:00-16:00, sun 02:30-04:00"),
    OfficeCalendar.build("mon-fri 09:00-17:00", timezone="America/New_York"),
]
MINUTE = timedelta(minutes=1)


@PROPERTY
@given(
    st.sampled_from(CALENDARS),
    st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2030, 12, 31, 23, 59, 59),
        timezones=st.sampled_from([UTC, STOCKHOLM, NEW_YORK]),
        allow_imaginary=False,
    ),
)
def test_next_open_is_the_first_open_instant(calendar: OfficeCalendar, t: datetime) -> None:
    result = calendar.next_open(t)
    assert result.tzinfo == calendar.zone
    # Compared in UTC: same-zone comparisons go by wall clock and ignore fold.
    assert result.astimezone(UTC) >= t.astimezone(UTC)
    assert calendar.is_open(result)
    closes = calendar.closes_at(result)
    assert closes is not None
    assert closes.astimezone(UTC) > result.astimezone(UTC)
    # UTC arithmetic: subtracting in the local zone would be wall-clock arithmetic.
    just_before = result.astimezone(UTC) - MINUTE
    if just_before >= t:
        assert not calendar.is_open(just_before)
    assert list(calendar.open_intervals(t, result)) == []
    if calendar.is_open(t):
        assert result.astimezone(UTC) == t.astimezone(UTC)
        assert result.utcoffset() == calendar.zone.utcoffset(result)


@PROPERTY
@given(
    st.sampled_from(CALENDARS),
    st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2030, 12, 31),
        timezones=st.just(UTC),
    ),
    st.integers(min_value=1, max_value=14 * 24 * 60),
)
def test_open_intervals_agree_with_is_open(
    calendar: OfficeCalendar, start: datetime, minutes: int
) -> None:
    end = start + timedelta(minutes=minutes)
    # Everything in UTC: two datetimes sharing a ZoneInfo compare by wall clock,
    # which is wrong across a fall-back transition.
    intervals = [
        (s.astimezone(UTC), e.astimezone(UTC)) for s, e in calendar.open_intervals(start, end)
    ]
    previous_end = start
    for open_start, open_end in intervals:
        assert previous_end <= open_start < open_end <= end
        assert calendar.is_open(open_start)
        assert calendar.is_open(open_end - timedelta(microseconds=1))
        if open_end < end:
            assert not calendar.is_open(open_end)
            closes = calendar.closes_at(open_start)
            assert closes is not None
            assert closes.astimezone(UTC) == open_end
        previous_end = open_end
    first = calendar.next_open(start).astimezone(UTC)
    if first < end:
        assert intervals[0][0] == first
    else:
        assert intervals == []


# --- parse_instant -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-24T09:00", "2026-12-24T09:00:00+01:00"),
        ("2026-07-01T09:00", "2026-07-01T09:00:00+02:00"),
        ("2026-07-01 09:00:30", "2026-07-01T09:00:30+02:00"),
        ("2026-12-24", "2026-12-24T00:00:00+01:00"),
        ("  2026-12-24T09:00  ", "2026-12-24T09:00:00+01:00"),
        ("2026-12-24T08:00Z", "2026-12-24T08:00:00+00:00"),
        ("2026-12-24T08:00:00z", "2026-12-24T08:00:00+00:00"),
        ("2026-12-24T03:00:00-05:00", "2026-12-24T03:00:00-05:00"),
        # A wall time skipped by the clocks reads as the first instant after the gap;
        # a repeated one as its first occurrence.
        ("2026-03-29T02:30", "2026-03-29T03:00:00+02:00"),
        ("2026-10-25T02:30", "2026-10-25T02:30:00+02:00"),
    ],
)
def test_parse_instant(text: str, expected: str) -> None:
    value = parse_instant(text, "Europe/Stockholm")
    assert value.isoformat() == expected
    assert value.tzinfo is not None


def test_parse_instant_feeds_next_open() -> None:
    result = VAGVALET.next_open(parse_instant("2026-12-24T09:00", VAGVALET.timezone))
    assert result.isoformat() == "2026-12-28T08:00:00+01:00"


@pytest.mark.parametrize(
    "text", ["", "tomorrow", "2026-13-01T09:00", "2026-12-24T25:00", "24/12/2026", "Z", "\n"]
)
def test_parse_instant_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="not an ISO 8601 date and time") as excinfo:
        parse_instant(text, "Europe/Stockholm")
    assert "\n" not in str(excinfo.value)


def test_parse_instant_rejects_unknown_timezone() -> None:
    with pytest.raises(HoursSpecError, match="unknown timezone"):
        parse_instant("2026-12-24T09:00", "Mars/Olympus_Mons")
