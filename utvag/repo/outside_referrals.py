"""Referring a person, with their consent, to a service outside the programme.

Where a referral happened, it is how the contact or the pending case ends,
instead of "information given" or "not accepted":

    open contact --refer out--> referred_out (the contact closes)
    pending case --refer out (lead)--> referred_out (the case ends)
    accepted case --refer out--> recorded; the case goes on (victim support
                                 alongside), or the lead closes it (moved)

A referral without the person's consent is refused. Refusals carry a code
(``ReferralProblem``), worded in Swedish by the console; nothing is stored
on a refusal.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.repo import calls
from utvag.repo.calls import CallError, NoSuchContact
from utvag.store.models import (
    Case,
    CaseStatus,
    Contact,
    ContactStatus,
    OutsideReferral,
    ReferralKind,
    StaffMember,
    Team,
)


class ReferralProblem(enum.StrEnum):
    NO_CONSENT = "no_consent"
    CONTACT_NOT_OPEN = "contact_not_open"
    HAS_A_CASE = "has_a_case"
    CASE_ENDED = "case_ended"
    ONLY_THE_LEAD_ENDS_A_CASE = "only_the_lead_ends_a_case"
    DATE_IN_FUTURE = "date_in_future"
    BEFORE_CONTACT = "before_contact"


class ReferralError(ValueError):
    """A referral that does not fit; ``problem`` says which."""

    def __init__(self, problem: ReferralProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def referrals_for_contact(session: Session, contact_id: int) -> list[OutsideReferral]:
    return list(
        session.scalars(
            select(OutsideReferral)
            .where(OutsideReferral.contact_id == contact_id)
            .order_by(OutsideReferral.referred_on.desc(), OutsideReferral.id.desc())
        )
    )


def _check(contact: Contact, team: Team, consent: bool, referred_on: date, today: date) -> None:
    if not consent:
        raise ReferralError(ReferralProblem.NO_CONSENT)
    if referred_on > today:
        raise ReferralError(ReferralProblem.DATE_IN_FUTURE)
    if referred_on < contact.created_at.astimezone(ZoneInfo(team.timezone)).date():
        raise ReferralError(ReferralProblem.BEFORE_CONTACT)


def _record(
    session: Session,
    contact: Contact,
    case: Case | None,
    member: StaffMember,
    kind: ReferralKind,
    referred_on: date,
    sealed_note: bytes | None,
) -> OutsideReferral:
    referral = OutsideReferral(
        team_id=contact.team_id,
        contact_id=contact.id,
        case_id=case.id if case is not None else None,
        kind=kind.value,
        referred_on=referred_on,
        consent=True,
        sealed_note=sealed_note,
        recorded_by_id=member.id,
    )
    session.add(referral)
    session.flush()
    return referral


def refer_contact(
    session: Session,
    team: Team,
    contact_id: int,
    member: StaffMember,
    *,
    kind: ReferralKind,
    referred_on: date,
    consent: bool,
    sealed_note: bytes | None,
    today: date,
    now: datetime | None = None,
) -> OutsideReferral:
    """An open contact ends referred out (a contact that became a case is
    referred from its case)."""
    contact = session.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.team_id == team.id)
    )
    if contact is None:
        raise NoSuchContact()
    _check(contact, team, consent, referred_on, today)
    if contact.status == ContactStatus.CASE_OPENED.value:
        raise ReferralError(ReferralProblem.HAS_A_CASE)
    if not ContactStatus(contact.status).is_open:
        raise ReferralError(ReferralProblem.CONTACT_NOT_OPEN)
    try:
        calls.close(session, team.id, contact.id, ContactStatus.REFERRED_OUT, now)
    except CallError:
        raise ReferralError(ReferralProblem.CONTACT_NOT_OPEN) from None
    return _record(session, contact, None, member, kind, referred_on, sealed_note)


def refer_case(
    session: Session,
    team: Team,
    case: Case,
    member: StaffMember,
    *,
    kind: ReferralKind,
    referred_on: date,
    consent: bool,
    sealed_note: bytes | None,
    today: date,
    may_end_a_case: bool,
    now: datetime | None = None,
) -> OutsideReferral:
    """From a pending case the referral is its ending (the lead's to make);
    from an accepted case it is recorded and the case goes on."""
    contact = session.get(Contact, case.contact_id)
    if contact is None:  # the foreign key makes this impossible
        raise RuntimeError("a case without its contact")
    _check(contact, team, consent, referred_on, today)
    if case.status == CaseStatus.PENDING.value:
        if not may_end_a_case:
            raise ReferralError(ReferralProblem.ONLY_THE_LEAD_ENDS_A_CASE)
        now = now or utcnow()
        case.status = CaseStatus.REFERRED_OUT.value
        case.decided_at = now
        case.ended_at = now
    elif case.status != CaseStatus.ACCEPTED.value:
        raise ReferralError(ReferralProblem.CASE_ENDED)
    return _record(session, contact, case, member, kind, referred_on, sealed_note)
