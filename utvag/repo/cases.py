"""Cases: a reached defector who wants to go on, from the first meeting with
the police to the day the case closes.

    pending --accept--> accepted (mapping phase) --close(reason)--> closed
    pending --decline--> declined

Coordinators work a case (checklist, notes, meetings, assessments, consent,
register checks); the lead decides (accept, decline, close, and confirming
a case whose criterion turned to "no" after acceptance). Refusals carry a
code (``CaseProblem``), which the console words in Swedish.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.repo.calls import CallError, CallProblem, NoSuchContact
from utvag.store.models import (
    AssessmentKind,
    Case,
    CaseAssessment,
    CaseCheck,
    CaseClockException,
    CaseConsent,
    CaseMeeting,
    CaseStatus,
    ChecklistItem,
    CheckStatus,
    ClockException,
    CloseReason,
    Contact,
    ContactKind,
    ContactStatus,
    DecisionOutcome,
    Investigation,
    RegisterCheck,
    StaffMember,
    Team,
)

# Who may be named as taking part in a meeting (by role, never by name).
MEETING_ROLES = (
    "person",
    "coordinator",
    "police",
    "social_worker",
    "probation",
    "relative",
    "other",
)


class CaseProblem(enum.StrEnum):
    NOT_PENDING = "not_pending"
    NOT_ACCEPTED = "not_accepted"
    CRITERIA_NOT_MET = "criteria_not_met"
    NO_SUCH_CRITERION = "no_such_criterion"
    NO_SUCH_MEMBER = "no_such_member"
    NOTHING_TO_CONFIRM = "nothing_to_confirm"
    DATE_IN_FUTURE = "date_in_future"
    DATE_BEFORE_CASE = "date_before_case"
    ALREADY_WITHDRAWN = "already_withdrawn"
    NO_SUCH_CONSENT = "no_such_consent"
    UNKNOWN_ROLE = "unknown_role"
    # Where social services decide (``Team.decision_needs_decider``).
    NO_GRANTED_DECISION = "no_granted_decision"
    DECIDED_BY_SOCIAL_SERVICES = "decided_by_social_services"
    DATE_BEFORE_ACCEPTANCE = "date_before_acceptance"
    WITHDRAWN_BEFORE_GIVEN = "withdrawn_before_given"
    # The agreement's clocks and age rule: refused unless the lead gives a reason.
    MAPPING_DUE_OUTSIDE_WINDOW = "mapping_due_outside_window"
    MAPPING_DONE_ON_ACCEPTANCE = "mapping_done_on_acceptance"
    UNDER_18 = "under_18"


# Which rule each exception sets aside, and the refusal without a reason.
EXCEPTION_PROBLEM = {
    ClockException.MAPPING_DUE_OUTSIDE_WINDOW: CaseProblem.MAPPING_DUE_OUTSIDE_WINDOW,
    ClockException.MAPPING_DONE_ON_ACCEPTANCE: CaseProblem.MAPPING_DONE_ON_ACCEPTANCE,
    ClockException.UNDER_18_ACCEPTED: CaseProblem.UNDER_18,
}


class CaseError(ValueError):
    """A case action that does not fit the case; ``problem`` says which."""

    def __init__(self, problem: CaseProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def active_checklist(session: Session, team_id: int) -> list[ChecklistItem]:
    return list(
        session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.team_id == team_id, ChecklistItem.active.is_(True))
            .order_by(ChecklistItem.position, ChecklistItem.id)
        )
    )


def open_case(
    session: Session,
    team_id: int,
    contact_id: int,
    member: StaffMember,
    now: datetime | None = None,
) -> Case:
    """Turn a reached defector into a pending case with one check per criterion."""
    contact = session.scalar(
        select(Contact)
        .where(Contact.id == contact_id, Contact.team_id == team_id)
        .with_for_update()
    )
    if contact is None:
        raise NoSuchContact()
    if contact.kind != ContactKind.DEFECTOR.value:
        raise CallError(CallProblem.RELATIVE_IS_NOT_A_CASE)
    if contact.status != ContactStatus.REACHED.value:
        raise CallError(CallProblem.NOT_REACHED)
    now = now or utcnow()
    case = Case(team_id=team_id, contact_id=contact.id, opened_by_id=member.id, opened_at=now)
    session.add(case)
    session.flush()
    session.add_all(
        CaseCheck(case_id=case.id, item_id=item.id, updated_by_id=member.id, updated_at=now)
        for item in active_checklist(session, team_id)
    )
    contact.status = ContactStatus.CASE_OPENED.value
    contact.closed_at = now
    session.flush()
    return case


def case_for_team(session: Session, team_id: int, case_id: int) -> Case | None:
    return session.scalar(select(Case).where(Case.id == case_id, Case.team_id == team_id))


def contact_of(session: Session, case: Case) -> Contact:
    contact = session.get(Contact, case.contact_id)
    if contact is None:  # the foreign key makes this impossible
        raise RuntimeError("a case without its contact")
    return contact


def case_for_contact(session: Session, contact_id: int) -> Case | None:
    return session.scalar(select(Case).where(Case.contact_id == contact_id))


@dataclass(frozen=True)
class CaseRow:
    """A case as the case list shows it."""

    case: Case
    acute: bool
    mapping_overdue: bool
    needs_review: bool
    # The day the next register check is due (None: the case is not open),
    # and whether that day has passed.
    register_check_due: date | None
    register_check_overdue: bool


OPEN_CASE_STATUSES = (CaseStatus.PENDING.value, CaseStatus.ACCEPTED.value)


def register_check_due(case: Case, last_checked_on: date | None, team: Team) -> date | None:
    """When the police should next check the registers: every open case (pending
    or accepted, "samtliga pågående ärenden"), ``team.register_check_days``
    after the last check or, before the first, after the case was opened."""
    if case.status not in OPEN_CASE_STATUSES:
        return None
    start = last_checked_on or case.opened_at.astimezone(ZoneInfo(team.timezone)).date()
    return start + timedelta(days=team.register_check_days)


def _last_register_checks(session: Session, team_id: int) -> dict[int, date]:
    return {
        case_id: last
        for case_id, last in session.execute(
            select(RegisterCheck.case_id, func.max(RegisterCheck.checked_on))
            .join(Case, Case.id == RegisterCheck.case_id)
            .where(Case.team_id == team_id)
            .group_by(RegisterCheck.case_id)
        ).all()
    }


@dataclass(frozen=True)
class ClockCounts:
    """How many open cases are late on an agreement's clock: counts only,
    for the queue's front page (no name, nothing sealed)."""

    register_checks_overdue: int
    mappings_overdue: int


def clock_counts(session: Session, team: Team, today: date) -> ClockCounts:
    cases = list(
        session.scalars(
            select(Case).where(Case.team_id == team.id, Case.status.in_(OPEN_CASE_STATUSES))
        )
    )
    last = _last_register_checks(session, team.id)
    register = 0
    for case in cases:
        due = register_check_due(case, last.get(case.id), team)
        if due is not None and due < today:
            register += 1
    return ClockCounts(
        register_checks_overdue=register,
        mappings_overdue=sum(1 for case in cases if mapping_overdue(case, today)),
    )


def cases_for_team(session: Session, team: Team, today: date) -> list[CaseRow]:
    """Every case of the team: the ones needing attention first, then newest."""
    rows = session.execute(
        select(Case, Contact.acute_risk)
        .join(Contact, Contact.id == Case.contact_id)
        .where(Case.team_id == team.id)
        .order_by(Case.opened_at.desc(), Case.id.desc())
    ).all()
    last = _last_register_checks(session, team.id)
    listed = []
    for case, acute in rows:
        due = register_check_due(case, last.get(case.id), team)
        listed.append(
            CaseRow(
                case=case,
                acute=bool(acute),
                mapping_overdue=mapping_overdue(case, today),
                needs_review=needs_review(session, case),
                register_check_due=due,
                register_check_overdue=due is not None and due < today,
            )
        )
    return sorted(
        listed,
        key=lambda row: (
            not row.acute,
            not (row.mapping_overdue or row.needs_review or row.register_check_overdue),
            row.case.status
            in (CaseStatus.CLOSED.value, CaseStatus.DECLINED.value, CaseStatus.REFERRED_OUT.value),
        ),
    )


def checks_for(session: Session, case_id: int) -> list[tuple[CaseCheck, ChecklistItem]]:
    rows = session.execute(
        select(CaseCheck, ChecklistItem)
        .join(ChecklistItem, ChecklistItem.id == CaseCheck.item_id)
        .where(CaseCheck.case_id == case_id)
        .order_by(ChecklistItem.position, ChecklistItem.id)
    ).all()
    return [(check, item) for check, item in rows]


def update_check(
    session: Session,
    case: Case,
    item_id: int,
    status: CheckStatus,
    sealed_note: bytes | None,
    member: StaffMember,
    now: datetime | None = None,
) -> CaseCheck:
    check = session.scalar(
        select(CaseCheck).where(CaseCheck.case_id == case.id, CaseCheck.item_id == item_id)
    )
    if check is None:
        raise CaseError(CaseProblem.NO_SUCH_CRITERION)
    check.status = status.value
    if sealed_note is not None:
        check.sealed_note = sealed_note
    check.updated_by_id = member.id
    check.updated_at = now or utcnow()
    return check


def needs_review(session: Session, case: Case) -> bool:
    """An accepted case with a criterion answered "no" since the lead last
    confirmed it: the lead must confirm it goes on, or close it."""
    if case.status != CaseStatus.ACCEPTED.value:
        return False
    for check, _item in checks_for(session, case.id):
        if check.status == CheckStatus.NOT_MET.value and (
            case.criteria_confirmed_at is None or check.updated_at > case.criteria_confirmed_at
        ):
            return True
    return False


def mapping_overdue(case: Case, today: date) -> bool:
    return (
        case.status == CaseStatus.ACCEPTED.value
        and case.mapping_done_on is None
        and case.mapping_due_on is not None
        and case.mapping_due_on < today
    )


def _require(case: Case, status: CaseStatus, problem: CaseProblem) -> None:
    if case.status != status.value:
        raise CaseError(problem)


def _team_member(session: Session, case: Case, member_id: int) -> StaffMember:
    member = session.get(StaffMember, member_id)
    if member is None or member.team_id != case.team_id or not member.is_active:
        raise CaseError(CaseProblem.NO_SUCH_MEMBER)
    return member


def default_mapping_due(team: Team, today: date) -> date:
    """The team's usual mapping length, kept inside the agreement's window."""
    days = min(max(team.mapping_days, team.mapping_min_days), team.mapping_max_days)
    return today + timedelta(days=days)


def mapping_window(team: Team, accepted_on: date) -> tuple[date, date]:
    """The first and last day the mapping may be due (2-4 weeks in Eskilstuna)."""
    return (
        accepted_on + timedelta(days=team.mapping_min_days),
        accepted_on + timedelta(days=team.mapping_max_days),
    )


def accepted_on(case: Case, team: Team) -> date | None:
    """The team's local day the case was accepted (None before it was)."""
    if case.decided_at is None or case.status not in (
        CaseStatus.ACCEPTED.value,
        CaseStatus.CLOSED.value,
    ):
        return None
    return case.decided_at.astimezone(ZoneInfo(team.timezone)).date()


@dataclass(frozen=True)
class Exceptions:
    """The agreement's rules an action breaks, and the lead's sealed reason
    for setting them aside (None: no reason given, so the action is refused)."""

    sealed_reason: bytes | None
    member: StaffMember

    def allow(
        self, session: Session, case: Case, kinds: list[tuple[ClockException, date | None]]
    ) -> list[str]:
        """Refuse on the first broken rule without a reason; with one, record
        each rule set aside (the audit names them, the reason stays sealed)."""
        if not kinds:
            return []
        if self.sealed_reason is None:
            raise CaseError(EXCEPTION_PROBLEM[kinds[0][0]])
        session.add_all(
            CaseClockException(
                case_id=case.id,
                kind=kind.value,
                day=day,
                sealed_reason=self.sealed_reason,
                recorded_by_id=self.member.id,
            )
            for kind, day in kinds
        )
        return [kind.value for kind, _day in kinds]


def accept(
    session: Session,
    case: Case,
    *,
    contact_person_id: int,
    mapping_due_on: date,
    team: Team,
    today: date,
    exceptions: Exceptions,
    now: datetime | None = None,
) -> list[str]:
    """Accept into the programme: every criterion met; the mapping phase starts
    with a contact person and the day it should be done, inside the
    agreement's window. A due day outside it, or a person who said they are
    under 18 in an over-18 programme, needs the lead's reason. Returns the
    rules set aside."""
    _require(case, CaseStatus.PENDING, CaseProblem.NOT_PENDING)
    if _decided_by_social_services(session, case) and not _granted(session, case):
        raise CaseError(CaseProblem.NO_GRANTED_DECISION)
    if any(check.status != CheckStatus.MET.value for check, _ in checks_for(session, case.id)):
        raise CaseError(CaseProblem.CRITERIA_NOT_MET)
    _team_member(session, case, contact_person_id)
    if mapping_due_on < today:
        raise CaseError(CaseProblem.DATE_BEFORE_ACCEPTANCE)
    broken: list[tuple[ClockException, date | None]] = []
    if team.adults_only and contact_of(session, case).under_18 is True:
        broken.append((ClockException.UNDER_18_ACCEPTED, None))
    first, last = mapping_window(team, today)
    if not first <= mapping_due_on <= last:
        broken.append((ClockException.MAPPING_DUE_OUTSIDE_WINDOW, mapping_due_on))
    set_aside = exceptions.allow(session, case, broken)
    now = now or utcnow()
    case.status = CaseStatus.ACCEPTED.value
    case.decided_at = now
    case.criteria_confirmed_at = now
    case.contact_person_id = contact_person_id
    case.mapping_due_on = mapping_due_on
    return set_aside


def decline(session: Session, case: Case, now: datetime | None = None) -> None:
    """Not accepted: the case ends (retention counts from now). Where social
    services decide, only their recorded refusal ends it
    (``utvag.repo.investigations``)."""
    _require(case, CaseStatus.PENDING, CaseProblem.NOT_PENDING)
    if _decided_by_social_services(session, case):
        raise CaseError(CaseProblem.DECIDED_BY_SOCIAL_SERVICES)
    end_as_declined(case, now or utcnow())


def end_as_declined(case: Case, now: datetime) -> None:
    case.status = CaseStatus.DECLINED.value
    case.decided_at = now
    case.ended_at = now


def _decided_by_social_services(session: Session, case: Case) -> bool:
    team = session.get(Team, case.team_id)
    return bool(team is not None and team.decision_needs_decider)


def _granted(session: Session, case: Case) -> bool:
    outcome = session.scalar(select(Investigation.outcome).where(Investigation.case_id == case.id))
    return outcome == DecisionOutcome.GRANTED.value


def close(
    session: Session,
    case: Case,
    reason: CloseReason,
    closed_on: date,
    today: date,
    now: datetime | None = None,
) -> None:
    """An accepted case ends, with why and when (retention counts from now)."""
    _require(case, CaseStatus.ACCEPTED, CaseProblem.NOT_ACCEPTED)
    _check_day(case, closed_on, today)
    if case.decided_at is not None and closed_on < case.decided_at.date() - timedelta(days=1):
        raise CaseError(CaseProblem.DATE_BEFORE_ACCEPTANCE)
    now = now or utcnow()
    case.status = CaseStatus.CLOSED.value
    case.close_reason = reason.value
    case.closed_on = closed_on
    case.ended_at = now


def confirm_criteria(session: Session, case: Case, now: datetime | None = None) -> None:
    """The lead has seen the "no" and the case goes on."""
    if not needs_review(session, case):
        raise CaseError(CaseProblem.NOTHING_TO_CONFIRM)
    case.criteria_confirmed_at = now or utcnow()


def set_mapping(
    session: Session,
    case: Case,
    *,
    contact_person_id: int,
    mapping_due_on: date,
    team: Team,
    exceptions: Exceptions,
) -> list[str]:
    """Another contact person or due day; a due day outside the agreement's
    window, counted from acceptance, needs the lead's reason."""
    _require(case, CaseStatus.ACCEPTED, CaseProblem.NOT_ACCEPTED)
    _team_member(session, case, contact_person_id)
    start = accepted_on(case, team)
    set_aside: list[str] = []
    if start is not None and mapping_due_on != case.mapping_due_on:
        if mapping_due_on < start:
            raise CaseError(CaseProblem.DATE_BEFORE_ACCEPTANCE)
        first, last = mapping_window(team, start)
        if not first <= mapping_due_on <= last:
            set_aside = exceptions.allow(
                session, case, [(ClockException.MAPPING_DUE_OUTSIDE_WINDOW, mapping_due_on)]
            )
    case.contact_person_id = contact_person_id
    case.mapping_due_on = mapping_due_on
    return set_aside


def mapping_done(
    session: Session,
    case: Case,
    done_on: date,
    today: date,
    *,
    team: Team,
    exceptions: Exceptions,
) -> list[str]:
    """The mapping is done: not before acceptance, and not on the day of
    acceptance itself (2-4 weeks of work cannot be done in it) unless the
    lead gives a reason."""
    _require(case, CaseStatus.ACCEPTED, CaseProblem.NOT_ACCEPTED)
    _check_day(case, done_on, today)
    start = accepted_on(case, team)
    set_aside: list[str] = []
    if start is not None:
        if done_on < start:
            raise CaseError(CaseProblem.DATE_BEFORE_ACCEPTANCE)
        if done_on == start:
            set_aside = exceptions.allow(
                session, case, [(ClockException.MAPPING_DONE_ON_ACCEPTANCE, done_on)]
            )
    case.mapping_done_on = done_on
    return set_aside


def clock_exceptions(session: Session, case_id: int) -> list[CaseClockException]:
    return list(
        session.scalars(
            select(CaseClockException)
            .where(CaseClockException.case_id == case_id)
            .order_by(CaseClockException.recorded_at.desc(), CaseClockException.id.desc())
        )
    )


def _check_day(case: Case, day: date, today: date) -> None:
    """Things recorded happened: not after today, not before the case (and
    so never before the contact came in)."""
    if day > today:
        raise CaseError(CaseProblem.DATE_IN_FUTURE)
    if day < case.opened_at.date() - timedelta(days=1):
        raise CaseError(CaseProblem.DATE_BEFORE_CASE)


def _not_before_case(case: Case, day: date) -> None:
    """A planned day may lie ahead, but never before the case was opened."""
    if day < case.opened_at.date() - timedelta(days=1):
        raise CaseError(CaseProblem.DATE_BEFORE_CASE)


def set_duty_to_report_told(case: Case, told_on: date | None, today: date) -> None:
    """The day the person was told a police officer may have a duty to report."""
    if told_on is not None:
        _check_day(case, told_on, today)
    case.duty_to_report_told_on = told_on


def _check_roles(roles: list[str]) -> list[str]:
    if any(role not in MEETING_ROLES for role in roles):
        raise CaseError(CaseProblem.UNKNOWN_ROLE)
    return sorted(set(roles), key=MEETING_ROLES.index)


def set_intake_meeting(
    case: Case, *, at: datetime | None, held: bool, roles: list[str], today: date
) -> None:
    """The first meeting with the police: when, whether held, who (by role)."""
    if at is not None:
        _not_before_case(case, at.date())
    if held and at is not None and at.date() > today:
        raise CaseError(CaseProblem.DATE_IN_FUTURE)
    case.police_meeting_at = at
    case.police_meeting_held = held
    case.police_meeting_roles = _check_roles(roles)


def add_assessment(
    session: Session,
    case: Case,
    kind: AssessmentKind,
    assessed_on: date,
    sealed_content: bytes,
    member: StaffMember,
    today: date,
) -> CaseAssessment:
    _check_day(case, assessed_on, today)
    assessment = CaseAssessment(
        case_id=case.id,
        kind=kind.value,
        assessed_on=assessed_on,
        sealed_content=sealed_content,
        recorded_by_id=member.id,
    )
    session.add(assessment)
    session.flush()
    return assessment


def add_meeting(
    session: Session,
    case: Case,
    held_on: date,
    roles: list[str],
    sealed_notes: bytes | None,
    member: StaffMember,
    today: date,
) -> CaseMeeting:
    _check_day(case, held_on, today)
    meeting = CaseMeeting(
        case_id=case.id,
        held_on=held_on,
        roles=_check_roles(roles),
        sealed_notes=sealed_notes,
        recorded_by_id=member.id,
    )
    session.add(meeting)
    session.flush()
    return meeting


def add_register_check(
    session: Session,
    case: Case,
    checked_on: date,
    relapse: bool,
    sealed_note: bytes | None,
    member: StaffMember,
    today: date,
) -> RegisterCheck:
    _check_day(case, checked_on, today)
    check = RegisterCheck(
        case_id=case.id,
        checked_on=checked_on,
        relapse=relapse,
        sealed_note=sealed_note,
        recorded_by_id=member.id,
    )
    session.add(check)
    session.flush()
    return check


def add_consent(
    session: Session,
    case: Case,
    given_on: date,
    sealed_content: bytes,
    member: StaffMember,
    today: date,
) -> CaseConsent:
    _check_day(case, given_on, today)
    consent = CaseConsent(
        case_id=case.id, given_on=given_on, sealed_content=sealed_content, recorded_by_id=member.id
    )
    session.add(consent)
    session.flush()
    return consent


def withdraw_consent(
    session: Session, case: Case, consent_id: int, withdrawn_on: date, today: date
) -> CaseConsent:
    consent = session.scalar(
        select(CaseConsent).where(CaseConsent.id == consent_id, CaseConsent.case_id == case.id)
    )
    if consent is None:
        raise CaseError(CaseProblem.NO_SUCH_CONSENT)
    if consent.withdrawn_on is not None:
        raise CaseError(CaseProblem.ALREADY_WITHDRAWN)
    _check_day(case, withdrawn_on, today)
    if withdrawn_on < consent.given_on:
        raise CaseError(CaseProblem.WITHDRAWN_BEFORE_GIVEN)
    consent.withdrawn_on = withdrawn_on
    return consent


def consent_in_force(consents: list[CaseConsent]) -> CaseConsent | None:
    """The newest consent not withdrawn, if any."""
    standing = [consent for consent in consents if consent.withdrawn_on is None]
    return max(standing, key=lambda consent: (consent.given_on, consent.id), default=None)


@dataclass(frozen=True)
class CaseRecords:
    """Everything recorded on a case, newest first, kind by kind."""

    assessments: list[CaseAssessment]
    meetings: list[CaseMeeting]
    register_checks: list[RegisterCheck]
    consents: list[CaseConsent]


def records_for(session: Session, case_id: int) -> CaseRecords:
    return CaseRecords(
        assessments=list(
            session.scalars(
                select(CaseAssessment)
                .where(CaseAssessment.case_id == case_id)
                .order_by(CaseAssessment.assessed_on.desc(), CaseAssessment.id.desc())
            )
        ),
        meetings=list(
            session.scalars(
                select(CaseMeeting)
                .where(CaseMeeting.case_id == case_id)
                .order_by(CaseMeeting.held_on.desc(), CaseMeeting.id.desc())
            )
        ),
        register_checks=list(
            session.scalars(
                select(RegisterCheck)
                .where(RegisterCheck.case_id == case_id)
                .order_by(RegisterCheck.checked_on.desc(), RegisterCheck.id.desc())
            )
        ),
        consents=list(
            session.scalars(
                select(CaseConsent)
                .where(CaseConsent.case_id == case_id)
                .order_by(CaseConsent.given_on.desc(), CaseConsent.id.desc())
            )
        ),
    )
