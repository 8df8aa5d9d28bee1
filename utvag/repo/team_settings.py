"""A team's own settings: hours, closed days, call attempts, checklist."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from utvag.calendar.hours import OfficeCalendar
from utvag.phones import PhoneRefusal, check_phone, normalise_public_number, phone_for_display
from utvag.repo.teams import TeamError, TeamProblem
from utvag.store.models import ChecklistItem, ClosedDay, Team

MAX_ATTEMPTS_RANGE = range(1, 11)


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


def add_closed_day(session: Session, team: Team, day: date, note: str) -> ClosedDay:
    existing = session.scalar(
        select(ClosedDay).where(ClosedDay.team_id == team.id, ClosedDay.day == day)
    )
    if existing is not None:
        existing.note = note
        return existing
    closed = ClosedDay(team_id=team.id, day=day, note=note.strip()[:200])
    session.add(closed)
    team.facts_version = (team.facts_version or 0) + 1
    session.flush()
    return closed


def remove_closed_day(session: Session, team: Team, closed_day_id: int) -> bool:
    """Remove one of the team's closed days; False if the team has no such day."""
    closed = session.scalar(
        select(ClosedDay).where(ClosedDay.id == closed_day_id, ClosedDay.team_id == team.id)
    )
    if closed is None:
        return False
    session.delete(closed)
    team.facts_version = (team.facts_version or 0) + 1
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
