"""Follow-up after the case: partner meetings and outcome checks.

Partner meetings (avstämningsmöte, Eskilstuna's agreement: "regularly with
the partners") are recorded on a case while it is worked or after: the day,
who took part by role (police, social services, the programme, other) and
what it came to. Outcome checks ask, 6, 12 and 24 months after a case closed,
what became of the person (Göteborg's follow-up: left the group, not
convicted again; and housing, work or studies). Everything counted is clear
(days, roles, yes/no/unknown); anything typed is sealed by the caller.

A day is refused if it is in the future or before the contact came in; an
outcome check also before the case closed. Which checks are due is worked
out from clear fields only, so the queue's front page can show counts.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.store.models import (
    OUTCOME_CHECK_MONTHS,
    Answer,
    Case,
    CaseStatus,
    Contact,
    OutcomeCheck,
    PartnerMeeting,
    PartnerMeetingOutcome,
    StaffMember,
)

# Who may be named at a partner meeting, by role only.
PARTNER_ROLES = ("police", "social_services", "programme", "other")
# The four questions of an outcome check, as stored.
OUTCOME_QUESTIONS = ("left_group", "no_new_sanction", "housing", "work_or_studies")


class FollowupProblem(enum.StrEnum):
    DATE_IN_FUTURE = "date_in_future"
    DATE_BEFORE_CONTACT = "date_before_contact"
    DATE_BEFORE_CLOSE = "date_before_close"
    UNKNOWN_ROLE = "unknown_role"
    NO_ROLE = "no_role"
    NOT_CLOSED = "not_closed"
    NO_SUCH_CHECK = "no_such_check"
    ALREADY_CHECKED = "already_checked"


class FollowupError(ValueError):
    """A follow-up record that does not fit its case; ``problem`` says which."""

    def __init__(self, problem: FollowupProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _contact_day(session: Session, case: Case) -> date:
    """The day the contact came in; a day before that cannot belong to this
    case. ``created_at`` is UTC, and Swedish local time is ahead of UTC, so
    its UTC day is never later than the local day: a true day is never
    refused (at most one day before it slips through, just after midnight)."""
    created = session.scalar(select(Contact.created_at).where(Contact.id == case.contact_id))
    if created is None:  # the foreign key makes this impossible
        raise RuntimeError("a case without its contact")
    return min(created.date(), case.opened_at.date())


def _check_day(session: Session, case: Case, day: date, today: date) -> None:
    if day > today:
        raise FollowupError(FollowupProblem.DATE_IN_FUTURE)
    if day < _contact_day(session, case):
        raise FollowupError(FollowupProblem.DATE_BEFORE_CONTACT)


def add_partner_meeting(
    session: Session,
    case: Case,
    *,
    held_on: date,
    roles: list[str],
    outcome: PartnerMeetingOutcome,
    sealed_notes: bytes | None,
    member: StaffMember,
    today: date,
) -> PartnerMeeting:
    _check_day(session, case, held_on, today)
    if not roles:
        raise FollowupError(FollowupProblem.NO_ROLE)
    if any(role not in PARTNER_ROLES for role in roles):
        raise FollowupError(FollowupProblem.UNKNOWN_ROLE)
    meeting = PartnerMeeting(
        case_id=case.id,
        held_on=held_on,
        roles=sorted(set(roles), key=PARTNER_ROLES.index),
        outcome=outcome.value,
        sealed_notes=sealed_notes,
        recorded_by_id=member.id,
    )
    session.add(meeting)
    session.flush()
    return meeting


def partner_meetings_of(session: Session, case_id: int) -> list[PartnerMeeting]:
    return list(
        session.scalars(
            select(PartnerMeeting)
            .where(PartnerMeeting.case_id == case_id)
            .order_by(PartnerMeeting.held_on.desc(), PartnerMeeting.id.desc())
        )
    )


def add_outcome_check(
    session: Session,
    case: Case,
    *,
    months: int,
    checked_on: date,
    answers: dict[str, Answer],
    member: StaffMember,
    today: date,
) -> OutcomeCheck:
    """Record the check ``months`` after the case closed; once per case and
    period (a second one is refused, not overwritten)."""
    if months not in OUTCOME_CHECK_MONTHS:
        raise FollowupError(FollowupProblem.NO_SUCH_CHECK)
    if case.status != CaseStatus.CLOSED.value or case.closed_on is None:
        raise FollowupError(FollowupProblem.NOT_CLOSED)
    _check_day(session, case, checked_on, today)
    if checked_on < case.closed_on:
        raise FollowupError(FollowupProblem.DATE_BEFORE_CLOSE)
    taken = session.scalar(
        select(OutcomeCheck.id).where(
            OutcomeCheck.case_id == case.id, OutcomeCheck.months == months
        )
    )
    if taken is not None:
        raise FollowupError(FollowupProblem.ALREADY_CHECKED)
    check = OutcomeCheck(
        case_id=case.id,
        months=months,
        checked_on=checked_on,
        **{question: answers[question].value for question in OUTCOME_QUESTIONS},
        recorded_by_id=member.id,
    )
    session.add(check)
    session.flush()
    return check


def outcome_checks_of(session: Session, case_id: int) -> list[OutcomeCheck]:
    return list(
        session.scalars(
            select(OutcomeCheck)
            .where(OutcomeCheck.case_id == case_id)
            .order_by(OutcomeCheck.months)
        )
    )


@dataclass(frozen=True)
class DueCheck:
    """An outcome check whose time has come and that is not recorded: the
    case's id, the period and the day it fell due (nothing about the person)."""

    case_id: int
    months: int
    due_on: date


def due_checks(session: Session, team_id: int, today: date) -> list[DueCheck]:
    """Every outcome check of the team's closed cases that is due and not done,
    the longest waiting first."""
    closed = session.execute(
        select(Case.id, Case.closed_on).where(
            Case.team_id == team_id,
            Case.status == CaseStatus.CLOSED.value,
            Case.closed_on.is_not(None),
        )
    ).all()
    done = {
        (case_id, months)
        for case_id, months in session.execute(
            select(OutcomeCheck.case_id, OutcomeCheck.months)
            .join(Case, Case.id == OutcomeCheck.case_id)
            .where(Case.team_id == team_id)
        )
    }
    due = [
        DueCheck(case_id=case_id, months=months, due_on=add_months(closed_on, months))
        for case_id, closed_on in closed
        if closed_on is not None
        for months in OUTCOME_CHECK_MONTHS
        if add_months(closed_on, months) <= today and (case_id, months) not in done
    ]
    return sorted(due, key=lambda check: (check.due_on, check.case_id, check.months))


def due_counts(due: list[DueCheck]) -> dict[int, int]:
    """How many checks are due for each period (6, 12, 24 months)."""
    return {months: sum(1 for c in due if c.months == months) for months in OUTCOME_CHECK_MONTHS}
