"""A team's own settings: hours and their exceptions (closures, extra open
days), call attempts, checklist."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from utvag.calendar.hours import OfficeCalendar
from utvag.clock import utcnow
from utvag.phones import PhoneRefusal, check_phone, normalise_public_number, phone_for_display
from utvag.repo.teams import TeamError, TeamProblem
from utvag.store.models import ChecklistItem, ClosedDay, ClosureReason, ExtraOpenDay, Team

MAX_ATTEMPTS_RANGE = range(1, 11)
# A closure longer than a quarter is not an exception to the hours but a
# team that has stopped: the lead changes the hours, or the team is removed.
MAX_CLOSURE_DAYS = 90
MAX_NOTE_CHARS = 80
_HHMM = re.compile(r"(\d{1,2})[:.](\d{2})")


class PhoneRefused(TeamError):
    """The duty phone is not a number we may call; ``refusal`` says why."""

    def __init__(self, refusal: PhoneRefusal) -> None:
        super().__init__(TeamProblem.BAD_PHONE)
        self.refusal = refusal


def set_hours(team: Team, hours_spec: str) -> None:
    """Change the weekly hours; raises HoursSpecError with a one-line reason."""
    calendar = OfficeCalendar.build(hours_spec, team.timezone)
    team.hours_spec = calendar.hours.spec


def set_max_attempts(team: Team, attempts: int) -> None:
    if attempts not in MAX_ATTEMPTS_RANGE:
        raise TeamError(TeamProblem.BAD_CALL_ATTEMPTS)
    team.max_call_attempts = attempts


RETENTION_RANGE = range(30, 3651)


def set_retention_days(team: Team, days: int) -> None:
    if days not in RETENTION_RANGE:
        raise TeamError(TeamProblem.BAD_RETENTION)
    team.retention_days = days


MAPPING_DAYS_RANGE = range(1, 366)
REGISTER_CHECK_DAYS_RANGE = range(7, 366)


def set_clocks(
    team: Team,
    *,
    mapping_min_days: int,
    mapping_days: int,
    mapping_max_days: int,
    register_check_days: int,
    adults_only: bool,
) -> None:
    """The agreement's clocks, as the programme lead keeps them (the preset
    sets them when the team is made): the mapping's window and usual length
    after acceptance, how often the registers are checked, and whether only
    people over 18 are taken."""
    if not (
        mapping_min_days in MAPPING_DAYS_RANGE
        and mapping_max_days in MAPPING_DAYS_RANGE
        and mapping_min_days <= mapping_days <= mapping_max_days
        and register_check_days in REGISTER_CHECK_DAYS_RANGE
    ):
        raise TeamError(TeamProblem.BAD_CLOCKS)
    team.mapping_min_days = mapping_min_days
    team.mapping_days = mapping_days
    team.mapping_max_days = mapping_max_days
    team.register_check_days = register_check_days
    team.adults_only = adults_only


def set_public_phone(team: Team, raw: str) -> None:
    """The programme's number on the public site; empty removes it."""
    raw = raw.strip()
    if not raw:
        team.public_phone = None
        return
    # People dial this one, we never do: any valid number (a 020 or 0771 too).
    normalised = normalise_public_number(raw)
    if normalised is None:
        raise TeamError(TeamProblem.BAD_PHONE)
    team.public_phone = phone_for_display(normalised)


def set_duty_phone(team: Team, raw: str, call_countries: Collection[str]) -> None:
    """The phone hotline calls are put through to in hours; empty turns it off.

    Twilio dials it, so it must be a number we may call (PhoneRefused)."""
    raw = raw.strip()
    if not raw:
        team.duty_phone = None
        return
    checked = check_phone(raw, call_countries)
    if checked.refusal is not None:
        raise PhoneRefused(checked.refusal)
    team.duty_phone = checked.number


def set_hotline_number(
    session: Session, team: Team, raw: str, install_numbers: Collection[str]
) -> None:
    """The team's own Twilio number; empty removes it (the team is then
    reached through the install-wide number only).

    Written as Twilio writes ``To`` (E.164). Refused when it is not a phone
    number (BAD_HOTLINE_NUMBER), or when it is already another team's or one
    of the install's own numbers, ``install_numbers`` (UTVAG_TWILIO_NUMBER
    and the number that names nothing): HOTLINE_NUMBER_TAKEN. Nothing is
    changed when it is refused."""
    raw = raw.strip()
    if not raw:
        team.hotline_number = None
        return
    number = normalise_public_number(raw)
    if number is None:
        raise TeamError(TeamProblem.BAD_HOTLINE_NUMBER)
    if number in {normalise_public_number(own) for own in install_numbers}:
        raise TeamError(TeamProblem.HOTLINE_NUMBER_TAKEN)
    owner = session.scalar(select(Team.id).where(Team.hotline_number == number, Team.id != team.id))
    if owner is not None:
        raise TeamError(TeamProblem.HOTLINE_NUMBER_TAKEN)
    team.hotline_number = number


def local_today(team: Team, now: datetime | None = None) -> date:
    """The team's own date now: "in the past" is judged on the team's calendar."""
    return (now or utcnow()).astimezone(ZoneInfo(team.timezone)).date()


def _bump_facts(team: Team) -> None:
    """The public site's cache of the calendar (``intake_web.team_facts``) is stale."""
    team.facts_version = (team.facts_version or 0) + 1


def add_closure(
    session: Session,
    team: Team,
    first_day: date,
    last_day: date | None,
    reason: str,
    note: str,
    *,
    now: datetime | None = None,
) -> ClosedDay:
    """Close the team from ``first_day`` to ``last_day`` (None: that day only).

    Refused with a TeamError, nothing stored: a closure starting before the
    team's today, ending before it starts, longer than ``MAX_CLOSURE_DAYS``,
    overlapping another closure or covering an extra open day; an unknown
    reason; a note longer than ``MAX_NOTE_CHARS``."""
    last_day = last_day or first_day
    note = note.strip()
    if reason not in {each.value for each in ClosureReason}:
        raise TeamError(TeamProblem.BAD_CLOSURE_REASON)
    if len(note) > MAX_NOTE_CHARS:
        raise TeamError(TeamProblem.NOTE_TOO_LONG)
    if first_day < local_today(team, now):
        raise TeamError(TeamProblem.CLOSURE_IN_PAST)
    if last_day < first_day:
        raise TeamError(TeamProblem.CLOSURE_BACKWARDS)
    if (last_day - first_day).days + 1 > MAX_CLOSURE_DAYS:
        raise TeamError(TeamProblem.CLOSURE_TOO_LONG)
    overlapping = session.scalar(
        select(ClosedDay.id).where(
            ClosedDay.team_id == team.id,
            ClosedDay.day <= last_day,
            ClosedDay.last_day >= first_day,
        )
    )
    if overlapping is not None:
        raise TeamError(TeamProblem.CLOSURE_OVERLAPS)
    open_day = session.scalar(
        select(ExtraOpenDay.id).where(
            ExtraOpenDay.team_id == team.id,
            ExtraOpenDay.day >= first_day,
            ExtraOpenDay.day <= last_day,
        )
    )
    if open_day is not None:
        raise TeamError(TeamProblem.CLOSURE_HAS_OPEN_DAY)
    closed = ClosedDay(team_id=team.id, day=first_day, last_day=last_day, reason=reason, note=note)
    session.add(closed)
    _bump_facts(team)
    session.flush()
    return closed


def remove_closed_day(session: Session, team: Team, closed_day_id: int) -> bool:
    """Remove one of the team's closures; False if the team has no such closure."""
    closed = session.scalar(
        select(ClosedDay).where(ClosedDay.id == closed_day_id, ClosedDay.team_id == team.id)
    )
    if closed is None:
        return False
    session.delete(closed)
    _bump_facts(team)
    return True


def parse_time_of_day(text: str) -> time | None:
    """ "10:00" as a time, None for anything else (the lead is told why)."""
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def add_extra_open_day(
    session: Session,
    team: Team,
    day: date,
    opens: time,
    closes: time,
    *,
    now: datetime | None = None,
) -> ExtraOpenDay:
    """Open the team on ``day`` from ``opens`` to ``closes`` (replacing the
    week's hours that day). Refused with a TeamError, nothing stored: a day
    before the team's today, hours that end at or before they start, a day
    inside a closure, a day that already is an extra open day."""
    if day < local_today(team, now):
        raise TeamError(TeamProblem.OPEN_DAY_IN_PAST)
    if closes <= opens:
        raise TeamError(TeamProblem.OPEN_DAY_HOURS)
    closed = session.scalar(
        select(ClosedDay.id).where(
            ClosedDay.team_id == team.id, ClosedDay.day <= day, ClosedDay.last_day >= day
        )
    )
    if closed is not None:
        raise TeamError(TeamProblem.OPEN_DAY_CLOSED)
    twice = session.scalar(
        select(ExtraOpenDay.id).where(ExtraOpenDay.team_id == team.id, ExtraOpenDay.day == day)
    )
    if twice is not None:
        raise TeamError(TeamProblem.OPEN_DAY_TWICE)
    extra = ExtraOpenDay(team_id=team.id, day=day, opens=opens, closes=closes)
    session.add(extra)
    _bump_facts(team)
    session.flush()
    return extra


def remove_extra_open_day(session: Session, team: Team, extra_id: int) -> bool:
    """False if the team has no such extra open day."""
    extra = session.scalar(
        select(ExtraOpenDay).where(ExtraOpenDay.id == extra_id, ExtraOpenDay.team_id == team.id)
    )
    if extra is None:
        return False
    session.delete(extra)
    _bump_facts(team)
    return True


def checklist(session: Session, team_id: int) -> list[ChecklistItem]:
    return list(
        session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.team_id == team_id)
            .order_by(ChecklistItem.active.desc(), ChecklistItem.position, ChecklistItem.id)
        )
    )


def add_checklist_item(session: Session, team: Team, label: str) -> ChecklistItem:
    label = label.strip()
    if not label:
        raise TeamError(TeamProblem.EMPTY_CRITERION)
    last = session.scalar(
        select(func.max(ChecklistItem.position)).where(ChecklistItem.team_id == team.id)
    )
    item = ChecklistItem(team_id=team.id, label=label[:200], position=(last or 0) + 1)
    session.add(item)
    session.flush()
    return item


def set_checklist_item_active(session: Session, team: Team, item_id: int, active: bool) -> bool:
    """Retire or restore a criterion. Retired ones stay on cases that already have them.

    False if the team has no such criterion."""
    item = session.scalar(
        select(ChecklistItem).where(ChecklistItem.id == item_id, ChecklistItem.team_id == team.id)
    )
    if item is None:
        return False
    item.active = active
    return True
