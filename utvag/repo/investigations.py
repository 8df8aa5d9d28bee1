"""The social services' investigation and decision on a case.

    pending case --open investigation--> investigating
                 --decision granted--> the lead may accept (contact person, mapping)
                 --decision refused--> the case ends as not accepted

Where the team's rule asks for it (``Team.decision_needs_decider``, from the
Eskilstuna and Göteborg presets), only a member holding the decider right
records the decision and the lead cannot accept without a granted one;
elsewhere the lead (or admin) records it. Refusals carry a code
(``DecisionProblem``), which the console words in Swedish; nothing is
stored on a refusal.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.repo.cases import contact_of, end_as_declined
from utvag.store.models import (
    Case,
    CaseStatus,
    DecisionOutcome,
    Investigation,
    Role,
    StaffMember,
    Team,
)


class DecisionProblem(enum.StrEnum):
    NOT_PENDING = "not_pending"
    ALREADY_OPEN = "already_open"
    NO_INVESTIGATION = "no_investigation"
    ALREADY_DECIDED = "already_decided"
    NO_SUCH_MEMBER = "no_such_member"
    NOT_A_DECIDER = "not_a_decider"
    NOT_A_LEAD = "not_a_lead"
    DATE_IN_FUTURE = "date_in_future"
    BEFORE_CONTACT = "before_contact"
    BEFORE_INVESTIGATION = "before_investigation"
    NO_REASON = "no_reason"


class DecisionError(ValueError):
    """A step of the investigation that does not fit; ``problem`` says which."""

    def __init__(self, problem: DecisionProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def investigation_for(session: Session, case_id: int) -> Investigation | None:
    return session.scalar(select(Investigation).where(Investigation.case_id == case_id))


def may_decide(team: Team, member: StaffMember) -> bool:
    """Who records the decision: the decider right where the team's rule asks
    for it (a role alone is not enough), else the programme lead or admin."""
    if team.decision_needs_decider:
        return member.is_decider and member.is_active
    return member.role in (Role.LEAD.value, Role.ADMIN.value)


def _contact_day(session: Session, case: Case, team: Team) -> date:
    """The day, in the team's zone, the person's contact came in."""
    return contact_of(session, case).created_at.astimezone(ZoneInfo(team.timezone)).date()


def _check_day(session: Session, case: Case, team: Team, day: date, today: date) -> None:
    if day > today:
        raise DecisionError(DecisionProblem.DATE_IN_FUTURE)
    if day < _contact_day(session, case, team):
        raise DecisionError(DecisionProblem.BEFORE_CONTACT)


def open_investigation(
    session: Session,
    team: Team,
    case: Case,
    *,
    opened_on: date,
    opened_by_id: int,
    today: date,
) -> Investigation:
    """The investigation starts: the day, and the member who opened it."""
    if case.status != CaseStatus.PENDING.value:
        raise DecisionError(DecisionProblem.NOT_PENDING)
    if investigation_for(session, case.id) is not None:
        raise DecisionError(DecisionProblem.ALREADY_OPEN)
    opener = session.get(StaffMember, opened_by_id)
    if opener is None or opener.team_id != case.team_id or not opener.is_active:
        raise DecisionError(DecisionProblem.NO_SUCH_MEMBER)
    _check_day(session, case, team, opened_on, today)
    investigation = Investigation(case_id=case.id, opened_on=opened_on, opened_by_id=opener.id)
    session.add(investigation)
    session.flush()
    return investigation


def record_decision(
    session: Session,
    team: Team,
    case: Case,
    member: StaffMember,
    *,
    outcome: DecisionOutcome,
    decided_on: date,
    sealed_reason: bytes | None,
    today: date,
    now: datetime | None = None,
) -> Investigation:
    """The decision, by ``member`` (who must hold the right to make it). A
    refusal needs a reason and ends the case as not accepted; a grant leaves
    the case pending for the lead to start the mapping."""
    if not may_decide(team, member):
        raise DecisionError(
            DecisionProblem.NOT_A_DECIDER
            if team.decision_needs_decider
            else DecisionProblem.NOT_A_LEAD
        )
    if case.status != CaseStatus.PENDING.value:
        raise DecisionError(DecisionProblem.NOT_PENDING)
    investigation = investigation_for(session, case.id)
    if investigation is None:
        raise DecisionError(DecisionProblem.NO_INVESTIGATION)
    if investigation.outcome is not None:
        raise DecisionError(DecisionProblem.ALREADY_DECIDED)
    _check_day(session, case, team, decided_on, today)
    if decided_on < investigation.opened_on:
        raise DecisionError(DecisionProblem.BEFORE_INVESTIGATION)
    if outcome is DecisionOutcome.REFUSED and sealed_reason is None:
        raise DecisionError(DecisionProblem.NO_REASON)
    investigation.outcome = outcome.value
    investigation.decided_on = decided_on
    investigation.decided_by_id = member.id
    investigation.sealed_reason = sealed_reason
    if outcome is DecisionOutcome.REFUSED:
        end_as_declined(case, now or utcnow())
    return investigation
