"""Working the call-back queue: claims, call outcomes, re-slotting, closing.

Every state change here is one conditional UPDATE or happens under a row lock,
so two staff members acting at once cannot both win: the database decides.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from utvag.calendar.due import CallbackWindow, due_time
from utvag.clock import utcnow
from utvag.repo.contacts import schedule_due_notice
from utvag.repo.teams import calendar_for
from utvag.store.models import (
    OPEN_STATUS_VALUES,
    CallAttempt,
    CallOutcome,
    Contact,
    ContactStatus,
    StaffMember,
    Team,
)

# Long enough to read the contact and make the call; short enough that a
# colleague can take over if the claimer walks away.
CLAIM_LEASE = timedelta(minutes=15)
# Wait before the next try, by how many unanswered attempts there have been.
RETRY_BACKOFF = (timedelta(hours=1), timedelta(hours=3), timedelta(hours=24))
# "Not safe to talk": the person answered, so try again, but give them time.
UNSAFE_BACKOFF = timedelta(hours=2)


class ClaimState(enum.StrEnum):
    CLAIMED = "claimed"
    TAKEN = "taken"
    CLOSED = "closed"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class ClaimResult:
    state: ClaimState
    holder_name: str | None = None
    expires_at: datetime | None = None


class CallProblem(enum.StrEnum):
    """Why a call action was refused; the console's labels say it in Swedish."""

    NO_SUCH_CONTACT = "no_such_contact"
    DID_NOT_ASK_FOR_A_CALL = "did_not_ask_for_a_call"
    NOT_WAITING_FOR_A_CALL = "not_waiting_for_a_call"
    CALL_NOT_TAKEN = "call_not_taken"
    NOT_A_CLOSING_STATUS = "not_a_closing_status"
    ALREADY_CLOSED = "already_closed"
    RELATIVE_IS_NOT_A_CASE = "relative_is_not_a_case"
    NOT_REACHED = "not_reached"
    DOES_NOT_FIT = "does_not_fit"


# In English, for logs and tests; staff read the console's Swedish labels.
CALL_PROBLEM_WORDS = {
    CallProblem.NO_SUCH_CONTACT: "no such contact",
    CallProblem.DID_NOT_ASK_FOR_A_CALL: "this contact did not ask for a call",
    CallProblem.NOT_WAITING_FOR_A_CALL: "this contact is not waiting for a call",
    CallProblem.CALL_NOT_TAKEN: "take the call first: someone else may be calling",
    CallProblem.NOT_A_CLOSING_STATUS: "not a closing status",
    CallProblem.ALREADY_CLOSED: "this contact is already closed",
    CallProblem.RELATIVE_IS_NOT_A_CASE: (
        "a relative's contact does not become a case; refer the person instead"
    ),
    CallProblem.NOT_REACHED: "only a reached person can become a case",
    CallProblem.DOES_NOT_FIT: "that does not fit this contact",
}


class CallError(ValueError):
    """A call action that does not fit the contact's state; ``problem`` says which."""

    def __init__(self, problem: CallProblem) -> None:
        super().__init__(CALL_PROBLEM_WORDS[problem])
        self.problem = problem


class NoSuchContact(CallError):
    """The team has no contact with that id: the console answers 404."""

    def __init__(self) -> None:
        super().__init__(CallProblem.NO_SUCH_CONTACT)


def claim(
    session: Session,
    team_id: int,
    contact_id: int,
    member: StaffMember,
    now: datetime | None = None,
) -> ClaimResult:
    """Take (or renew) the lease on a contact, unless someone else holds it."""
    now = now or utcnow()
    result = session.execute(
        update(Contact)
        .where(
            Contact.id == contact_id,
            Contact.team_id == team_id,
            Contact.status.in_(OPEN_STATUS_VALUES),
            or_(
                Contact.claimed_by_id.is_(None),
                Contact.claimed_by_id == member.id,
                Contact.claim_expires_at < now,
            ),
        )
        .values(claimed_by_id=member.id, claim_expires_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return ClaimResult(ClaimState.CLAIMED, member.username, now + CLAIM_LEASE)
    contact = session.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.team_id == team_id)
    )
    if contact is None:
        return ClaimResult(ClaimState.NOT_FOUND)
    if not ContactStatus(contact.status).is_open:
        return ClaimResult(ClaimState.CLOSED)
    holder = session.get(StaffMember, contact.claimed_by_id) if contact.claimed_by_id else None
    return ClaimResult(
        ClaimState.TAKEN, holder.username if holder else None, contact.claim_expires_at
    )


def claimer_id(contact: Contact, now: datetime | None = None) -> int | None:
    """Who holds a lease on the contact that has not run out, if anyone."""
    now = now or utcnow()
    if contact.claim_expires_at is None or contact.claim_expires_at < now:
        return None
    return contact.claimed_by_id


def holds_claim(contact: Contact, member: StaffMember, now: datetime | None = None) -> bool:
    return claimer_id(contact, now) == member.id


def release(session: Session, team_id: int, contact_id: int, member: StaffMember) -> bool:
    """Give up one's own claim; False if there was none to give up."""
    result = session.execute(
        update(Contact)
        .where(
            Contact.id == contact_id,
            Contact.team_id == team_id,
            Contact.claimed_by_id == member.id,
        )
        .values(claimed_by_id=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _locked_contact(session: Session, team_id: int, contact_id: int) -> Contact | None:
    return session.scalar(
        select(Contact)
        .where(Contact.id == contact_id, Contact.team_id == team_id)
        .with_for_update()
    )


def unanswered_attempts(session: Session, contact_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(CallAttempt)
            .where(
                CallAttempt.contact_id == contact_id,
                CallAttempt.outcome.in_([CallOutcome.NO_ANSWER.value, CallOutcome.BUSY.value]),
            )
        )
        or 0
    )


def reslot(session: Session, team: Team, contact: Contact, not_before: datetime) -> datetime:
    """Give the contact a new due time in its window, and schedule its notice."""
    window = CallbackWindow(contact.callback_window or CallbackWindow.ASAP.value)
    if window is CallbackWindow.DAY:
        # The chosen day has been tried; keep to the first open slot after it.
        window = CallbackWindow.ASAP
    contact.due_at = due_time(calendar_for(session, team), window, not_before)
    schedule_due_notice(session, contact)
    return contact.due_at


def record_outcome(
    session: Session,
    team: Team,
    contact_id: int,
    member: StaffMember,
    outcome: CallOutcome,
    sealed_note: bytes | None = None,
    now: datetime | None = None,
) -> CallAttempt:
    """Log one call attempt and move the contact on.

    Only the member holding the claim may log it. Unanswered calls (no answer,
    busy) are re-slotted with a back-off until the team's limit, then the
    contact closes as unreachable. "Not safe to talk" is re-slotted without
    counting against the limit: the number works and the person answered.
    """
    now = now or utcnow()
    contact = _locked_contact(session, team.id, contact_id)
    if contact is None:
        raise NoSuchContact()
    if not contact.wants_callback:
        raise CallError(CallProblem.DID_NOT_ASK_FOR_A_CALL)
    if not ContactStatus(contact.status).is_open or contact.status == ContactStatus.REACHED:
        raise CallError(CallProblem.NOT_WAITING_FOR_A_CALL)
    if not holds_claim(contact, member, now):
        raise CallError(CallProblem.CALL_NOT_TAKEN)

    attempt = CallAttempt(
        contact_id=contact.id,
        team_id=team.id,
        staff_member_id=member.id,
        outcome=outcome.value,
        at=now,
        sealed_note=sealed_note,
    )
    contact.attempt_count += 1
    contact.claimed_by_id = None
    contact.claim_expires_at = None
    if outcome is CallOutcome.REACHED:
        contact.status = ContactStatus.REACHED.value
    elif outcome is CallOutcome.WRONG_NUMBER:
        contact.status = ContactStatus.WRONG_NUMBER.value
        contact.closed_at = now
    elif outcome is CallOutcome.UNSAFE:
        contact.status = ContactStatus.WAITING.value
        attempt.next_due_at = reslot(session, team, contact, now + UNSAFE_BACKOFF)
    else:
        unanswered = unanswered_attempts(session, contact.id) + 1
        if unanswered >= team.max_call_attempts:
            contact.status = ContactStatus.UNREACHABLE.value
            contact.closed_at = now
        else:
            backoff = RETRY_BACKOFF[min(unanswered, len(RETRY_BACKOFF)) - 1]
            contact.status = ContactStatus.WAITING.value
            attempt.next_due_at = reslot(session, team, contact, now + backoff)
    session.add(attempt)
    session.flush()
    return attempt


def close(
    session: Session,
    team_id: int,
    contact_id: int,
    status: ContactStatus,
    now: datetime | None = None,
) -> Contact:
    """End a contact: handled message, information given to a relative, or a
    reached person who does not want to go on."""
    if status.is_open:
        raise CallError(CallProblem.NOT_A_CLOSING_STATUS)
    contact = _locked_contact(session, team_id, contact_id)
    if contact is None:
        raise NoSuchContact()
    if not ContactStatus(contact.status).is_open:
        raise CallError(CallProblem.ALREADY_CLOSED)
    contact.status = status.value
    contact.closed_at = now or utcnow()
    contact.claimed_by_id = None
    contact.claim_expires_at = None
    return contact


def attempts_for(session: Session, contact_id: int) -> list[CallAttempt]:
    return list(
        session.scalars(
            select(CallAttempt).where(CallAttempt.contact_id == contact_id).order_by(CallAttempt.id)
        )
    )


def attempts_between(
    session: Session, team_id: int, start: datetime, end: datetime
) -> list[tuple[CallAttempt, str | None, str]]:
    """Every attempt of the team in [start, end): attempt, caller's name, contact kind."""
    rows = session.execute(
        select(CallAttempt, StaffMember.username, Contact.kind)
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .outerjoin(StaffMember, StaffMember.id == CallAttempt.staff_member_id)
        .where(and_(CallAttempt.team_id == team_id, CallAttempt.at >= start, CallAttempt.at < end))
        .order_by(CallAttempt.at, CallAttempt.id)
    ).all()
    return [(attempt, username, kind) for attempt, username, kind in rows]
