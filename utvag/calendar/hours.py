"""Office-hours calendar for the call-back queue.

Call-backs may only be placed while a team is staffed, so every due time the
queue shows comes from here. The module is pure (no database, no Flask) so that
the public app, the console, the worker and the CLI all agree on the same
answer, and so that it can be tested exhaustively against a real calendar.

All arithmetic is done on UTC instants and only converted to the team's zone at
the edges: Python compares two datetimes that share a ``ZoneInfo`` by wall
clock, ignoring ``fold``, which gives wrong answers in the hour after a
fall-back transition.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "DEFAULT_HOURS_SPEC",
    "DEFAULT_TIMEZONE",
    "HoursSpecError",
    "OfficeCalendar",
    "WeeklyHours",
    "parse_instant",
    "swedish_days_off",
]

DEFAULT_HOURS_SPEC = "mon-fri 08:00-16:00"
DEFAULT_TIMEZONE = "Europe/Stockholm"

# Far enough to cross any run of holidays and team closures a real team has,
# short enough that a calendar that can never open fails fast instead of looping.
_SEARCH_DAYS = 400

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SWEDISH_DAY_NAMES = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
_WEEKDAYS: Mapping[str, int] = MappingProxyType(
    {name: i for i, name in enumerate(_DAY_NAMES)}
    | {name: i for i, name in enumerate(_SWEDISH_DAY_NAMES)}
)

_TIME_RANGE = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")
_DAY_ITEM = re.compile(r"([^\W\d_]+)(?:-([^\W\d_]+))?")

Interval = tuple[time, time]


class HoursSpecError(ValueError):
    """An office-hours spec or calendar setting that cannot be used.

    A ``ValueError`` so callers that already treat bad input as ``ValueError``
    (the CLI, form validation) need no special case; its message is one line
    meant to be shown to the admin who typed the spec.
    """


def _show(text: str, limit: int = 60) -> str:
    """Quote user text so an error message stays on one readable line."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(shown)


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


@dataclass(frozen=True)
class WeeklyHours:
    """The recurring weekly opening hours of one team.

    ``days[0]`` is Monday. Intervals are end-exclusive (``08:00-16:00`` is
    closed at 16:00 sharp) and must not touch, so that every week has exactly
    one representation and ``closes_at`` never reports a closing that is
    immediately followed by a reopening.
    """

    days: tuple[tuple[Interval, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise HoursSpecError(f"weekly hours need 7 days (Monday first), got {len(self.days)}")
        for weekday, intervals in enumerate(self.days):
            name = _DAY_NAMES[weekday]
            previous_end: time | None = None
            for start, end in intervals:
                for value in (start, end):
                    if value.tzinfo is not None:
                        raise HoursSpecError(f"{name}: office hours are local times, not {value}")
                    if value.second or value.microsecond:
                        raise HoursSpecError(f"{name}: office hours are whole minutes, not {value}")
                if start >= end:
                    raise HoursSpecError(
                        f"{name}: interval {_hhmm(start)}-{_hhmm(end)} must end after it starts"
                    )
                if previous_end is not None and start == previous_end:
                    raise HoursSpecError(
                        f"{name}: intervals meeting at {_hhmm(start)} must be written as one"
                    )
                if previous_end is not None and start < previous_end:
                    raise HoursSpecError(
                        f"{name}: interval starting {_hhmm(start)} overlaps or comes before "
                        f"the one ending {_hhmm(previous_end)}"
                    )
                previous_end = end
        if not any(self.days):
            raise HoursSpecError("the week has no open hours at all")

    @classmethod
    def parse(cls, spec: str) -> WeeklyHours:
        """Read the admin-facing notation, e.g. ``"mon-thu 08:00-16:00, fri 08:00-15:00"``.

        Groups are a day list (names or forward ranges, comma separated)
        followed by one or more ``HH:MM-HH:MM`` intervals; a comma also
        separates groups. Days not named are closed. Swedish day names are
        accepted because the admins are Swedish.
        """
        if not isinstance(spec, str):
            raise HoursSpecError(f"hours spec must be text, not {type(spec).__name__}")
        text = unicodedata.normalize("NFC", spec).casefold()
        text = re.sub(r"\s*[-–]\s*", "-", text)
        words = text.replace(",", " , ").split()
        if not words:
            raise HoursSpecError("hours spec is empty; expected e.g. 'mon-fri 08:00-16:00'")

        per_day: list[list[Interval] | None] = [None] * 7
        group_days: list[int] = []
        group_intervals: list[Interval] = []
        # States: "day" expects a day item, "day_or_time" follows a day item,
        # "time_or_comma" follows an interval, "day_after_comma" starts a group
        # or continues a day list.
        state = "day"

        def close_group() -> None:
            for weekday in group_days:
                per_day[weekday] = list(group_intervals)
            group_days.clear()
            group_intervals.clear()

        for word in words:
            if word == ",":
                if state == "day_or_time":
                    state = "day"
                elif state == "time_or_comma":
                    close_group()
                    state = "day_after_comma"
                else:
                    raise HoursSpecError(
                        f"unexpected comma in hours spec {_show(spec)}; expected a day name"
                    )
                continue
            interval = _parse_interval(word)
            if interval is not None:
                if state not in ("day_or_time", "time_or_comma"):
                    raise HoursSpecError(
                        f"interval {word!r} in hours spec {_show(spec)} has no day before it"
                    )
                group_intervals.append(interval)
                state = "time_or_comma"
                continue
            if state == "time_or_comma":
                raise HoursSpecError(
                    f"{_show(word)} in hours spec {_show(spec)} is not an interval like "
                    "08:00-16:00; separate day groups with a comma"
                )
            if state == "day_or_time":
                raise HoursSpecError(
                    f"{_show(word)} in hours spec {_show(spec)} is not an interval like "
                    "08:00-16:00; separate days with a comma, e.g. 'mon,wed'"
                )
            for weekday in _parse_day_item(word):
                if weekday in group_days or per_day[weekday] is not None:
                    raise HoursSpecError(
                        f"{_DAY_NAMES[weekday]} is listed twice in hours spec {_show(spec)}"
                    )
                group_days.append(weekday)
            state = "day_or_time"

        if state != "time_or_comma":
            raise HoursSpecError(
                f"hours spec {_show(spec)} must end with an interval like 08:00-16:00"
            )
        close_group()
        return cls(days=tuple(tuple(sorted(day or ())) for day in per_day))

    @property
    def spec(self) -> str:
        """The canonical notation, so a stored spec compares and diffs cleanly."""
        groups: dict[tuple[Interval, ...], list[int]] = {}
        for weekday, intervals in enumerate(self.days):
            if intervals:
                groups.setdefault(intervals, []).append(weekday)
        parts = []
        for intervals, weekdays in groups.items():
            runs: list[list[int]] = []
            for weekday in weekdays:
                if runs and runs[-1][-1] == weekday - 1:
                    runs[-1].append(weekday)
                else:
                    runs.append([weekday])
            day_list = ",".join(
                _DAY_NAMES[run[0]]
                if len(run) == 1
                else f"{_DAY_NAMES[run[0]]}-{_DAY_NAMES[run[-1]]}"
                for run in runs
            )
            times = " ".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in intervals)
            parts.append(f"{day_list} {times}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return self.spec


def _parse_interval(token: str) -> Interval | None:
    """Return the interval a token spells, or None if it is not time-shaped at all."""
    if not any(ch.isdigit() for ch in token):
        return None
    match = _TIME_RANGE.fullmatch(token)
    if match is None:
        raise HoursSpecError(f"{_show(token)} is not an interval like 08:00-16:00")
    sh, sm, eh, em = (int(group) for group in match.groups())
    for hour, minute in ((sh, sm), (eh, em)):
        if hour > 23 or minute > 59:
            raise HoursSpecError(
                f"{hour:02d}:{minute:02d} in {_show(token)} is not a time of day "
                "(00:00 to 23:59; intervals end within the day)"
            )
    start, end = time(sh, sm), time(eh, em)
    if start >= end:
        raise HoursSpecError(f"interval {_show(token)} must end after it starts, on the same day")
    return start, end


def _parse_day_item(token: str) -> list[int]:
    match = _DAY_ITEM.fullmatch(token)
    if match is None:
        raise HoursSpecError(f"{_show(token)} is not a day or day range like 'mon' or 'mon-fri'")
    first, last = match.group(1), match.group(2)
    start = _weekday(first)
    if last is None:
        return [start]
    end = _weekday(last)
    if end < start:
        raise HoursSpecError(
            f"day range {_show(token)} runs backwards; ranges run Monday to Sunday, "
            "e.g. 'mon-fri' (list wrapping days separately, e.g. 'fri,sat,sun,mon')"
        )
    return list(range(start, end + 1))


def _weekday(name: str) -> int:
    try:
        return _WEEKDAYS[name]
    except KeyError:
        raise HoursSpecError(
            f"unknown day {_show(name)}; use {' '.join(_DAY_NAMES)} or "
            f"{' '.join(_SWEDISH_DAY_NAMES)}"
        ) from None


@functools.lru_cache(maxsize=64)
def _days_off(year: int) -> Mapping[date, str]:
    """Build the holiday table once per year; the queue asks for it on every lookup."""
    calendar = holidays.Sweden(
        years=year,
        include_sundays=False,
        categories=("public", "de_facto"),
        language="sv",
    )
    return MappingProxyType({day: name for day, name in calendar.items() if day.year == year})


def swedish_days_off(year: int) -> dict[date, str]:
    """Swedish public holidays plus the de facto days off, with their Swedish names.

    Municipal offices close on midsommarafton, julafton and nyårsafton although
    the law does not make them holidays, so they are included. The result is a
    fresh dict so a caller cannot corrupt the shared cache.
    """
    return dict(_days_off(year))


def _zone(key: str) -> ZoneInfo:
    if not isinstance(key, str) or not key:
        raise HoursSpecError("timezone is empty; expected an IANA name like 'Europe/Stockholm'")
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise HoursSpecError(
            f"unknown timezone {_show(key)}; expected an IANA name like 'Europe/Stockholm'"
        ) from None


def _require_aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what} must be timezone-aware; a naive datetime is ambiguous ({value.isoformat()})"
        )
    return value.astimezone(UTC)


def _resolve_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant a local wall time means on a given day.

    A wall time skipped by a forward transition resolves to the first instant
    after the gap (the office opens as soon as the clock allows); a repeated
    wall time resolves to its earlier occurrence.
    """
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    if before == after:
        return first.astimezone(UTC)
    first_utc, second_utc = first.astimezone(UTC), second.astimezone(UTC)
    if first_utc.astimezone(zone).replace(tzinfo=None, fold=0) == naive:
        return min(first_utc, second_utc)
    # In a gap: fold=0 reads the wall time with the offset in force before the
    # transition, fold=1 with the one after, so the transition lies between.
    # tzdata transitions fall on whole seconds; bisect for the first second
    # that already has the new offset.
    low = int(min(first_utc, second_utc).timestamp())
    high = int(max(first_utc, second_utc).timestamp())
    while low < high:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(low, UTC)


@dataclass(frozen=True)
class OfficeCalendar:
    """When one team answers call-backs: weekly hours, minus days off, plus
    extra open days, in its zone.

    A team's closed day wins over everything; an extra open day (a Saturday
    10:00-14:00) replaces that day's weekly hours, and opens a public holiday
    too if the lead chose to work it.
    """

    hours: WeeklyHours
    timezone: str
    closed_days: frozenset[date] = frozenset()
    # (day, opens, closes): one interval each, no two on the same day.
    extra_days: tuple[tuple[date, time, time], ...] = ()

    def __post_init__(self) -> None:
        _zone(self.timezone)
        if not isinstance(self.closed_days, frozenset):
            object.__setattr__(self, "closed_days", frozenset(self.closed_days))
        for day in self.closed_days:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise HoursSpecError(f"closed day {day!r} must be a date, not a date and time")
        seen: set[date] = set()
        for day, opens, closes in self.extra_days:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise HoursSpecError(f"extra open day {day!r} must be a date")
            if day in seen:
                raise HoursSpecError(f"extra open day {day.isoformat()} is given twice")
            if opens >= closes:
                raise HoursSpecError(
                    f"extra open day {day.isoformat()}: {_hhmm(opens)}-{_hhmm(closes)} "
                    "must end after it starts"
                )
            seen.add(day)

    @functools.cached_property
    def _extra_by_day(self) -> Mapping[date, tuple[Interval, ...]]:
        return MappingProxyType({day: ((opens, closes),) for day, opens, closes in self.extra_days})

    @classmethod
    def build(
        cls,
        hours_spec: str = DEFAULT_HOURS_SPEC,
        timezone: str = DEFAULT_TIMEZONE,
        closed_days: Iterable[date] = (),
        extra_days: Iterable[tuple[date, time, time]] = (),
    ) -> OfficeCalendar:
        """Assemble a calendar from the strings a team is configured with."""
        return cls(
            hours=WeeklyHours.parse(hours_spec),
            timezone=timezone,
            closed_days=frozenset(closed_days),
            extra_days=tuple(sorted(extra_days)),
        )

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    def is_day_off(self, day: date) -> bool:
        """Whether the whole day is closed regardless of the weekly hours."""
        if isinstance(day, datetime):
            raise TypeError("is_day_off takes a date; convert a datetime with .date() first")
        if day in self.closed_days:
            return True
        return day not in self._extra_by_day and day in _days_off(day.year)

    def is_team_closure(self, day: date) -> bool:
        """Whether the team itself closed this day (not a weekend or holiday):
        the public pages and the hotline then say "we are closed today"."""
        return day in self.closed_days

    def _local_intervals(self, day: date) -> tuple[Interval, ...]:
        """The day's opening hours as wall times: an extra open day's, else the week's."""
        if self.is_day_off(day):
            return ()
        extra = self._extra_by_day.get(day)
        return extra if extra is not None else self.hours.days[day.weekday()]

    def _day_intervals(self, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """Open intervals of one local day as UTC instants, empty ones dropped."""
        result = []
        for start, end in self._local_intervals(day):
            try:
                start_utc = _resolve_local(day, start, zone)
                end_utc = _resolve_local(day, end, zone)
            except OverflowError:
                # Only at the very ends of datetime's range; such a day cannot be open.
                continue
            if start_utc < end_utc:
                result.append((start_utc, end_utc))
        return result

    def _intervals_from(
        self, first_day: date, zone: ZoneInfo, days: int
    ) -> Iterator[tuple[datetime, datetime]]:
        """UTC open intervals day by day, merging any that touch.

        Starting a day early catches an interval whose end a DST gap pushed
        past midnight. Touching intervals can only arise from DST resolution;
        merging them keeps ``closes_at`` honest.
        """
        pending: tuple[datetime, datetime] | None = None
        day = first_day - timedelta(days=1) if first_day > date.min else first_day
        for _ in range(days + 1):
            for start, end in self._day_intervals(day, zone):
                if pending is not None and start <= pending[1]:
                    pending = (pending[0], max(pending[1], end))
                    continue
                if pending is not None:
                    yield pending
                pending = (start, end)
            if day >= date.max:
                break
            day += timedelta(days=1)
        if pending is not None:
            yield pending

    def is_open(self, at: datetime) -> bool:
        """Whether a call-back may be placed at this instant."""
        instant = _require_aware(at, "is_open(at)")
        zone = self.zone
        for start, end in self._intervals_from(instant.astimezone(zone).date(), zone, 1):
            if start <= instant < end:
                return True
        return False

    def next_open(self, at: datetime) -> datetime:
        """The first open instant at or after ``at``, in the calendar's zone.

        This is the due time a request made at ``at`` gets, and what the queue
        shows when it is closed. Compare results with other datetimes in UTC:
        under PEP 495 a time in a repeated (fall-back) hour never compares equal
        to a datetime in another zone.
        """
        instant = _require_aware(at, "next_open(at)")
        zone = self.zone
        local_day = instant.astimezone(zone).date()
        for start, end in self._intervals_from(local_day, zone, _SEARCH_DAYS):
            if end > instant:
                return max(start, instant).astimezone(zone)
        raise HoursSpecError(
            f"calendar {self.hours.spec!r} in {self.timezone} has no open hours within "
            f"{_SEARCH_DAYS} days of {at.isoformat()}"
        )

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals intersecting ``[start, end)``, clipped to it.

        Lets the queue place a call-back inside the window a person asked for
        (e.g. afternoons) rather than merely at the next opening. Arguments are
        checked now, not on first iteration, so a bad call fails where it is made.
        """
        start_utc = _require_aware(start, "open_intervals(start)")
        end_utc = _require_aware(end, "open_intervals(end)")
        zone = self.zone
        return self._clipped(start_utc, end_utc, zone)

    def _clipped(
        self, start: datetime, end: datetime, zone: ZoneInfo
    ) -> Iterator[tuple[datetime, datetime]]:
        if end <= start:
            return
        first_day = start.astimezone(zone).date()
        days = (end.astimezone(zone).date() - first_day).days + 1
        for open_start, open_end in self._intervals_from(first_day, zone, days):
            if open_start >= end:
                return
            if open_end <= start:
                continue
            yield max(open_start, start).astimezone(zone), min(open_end, end).astimezone(zone)

    def closes_at(self, at: datetime) -> datetime | None:
        """When the current opening ends, so staff know how long they have; None if closed."""
        instant = _require_aware(at, "closes_at(at)")
        zone = self.zone
        for start, end in self._intervals_from(instant.astimezone(zone).date(), zone, 2):
            if start <= instant < end:
                return end.astimezone(zone)
        return None


def parse_instant(text: str, timezone: str) -> datetime:
    """Read a user- or CLI-supplied time, treating a bare wall time as the team's local time.

    Admins type ``2026-12-24T09:00`` meaning Stockholm time, so a missing
    offset is filled in from ``timezone`` (with the same gap/fold rules as the
    office hours); an explicit offset or ``Z`` wins and is kept as given.
    """
    zone = _zone(timezone)
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO 8601 date and time as text, not {type(text).__name__}")
    cleaned = text.strip()
    if cleaned[-1:] in ("Z", "z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(
            f"{_show(text)} is not an ISO 8601 date and time, e.g. 2026-12-24T09:00+01:00"
        ) from None
    if value.tzinfo is not None:
        return value
    return _resolve_local(value.date(), value.time(), zone).astimezone(zone)
