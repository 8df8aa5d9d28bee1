"""Deleting what people wrote once it is no longer needed.

A closed contact keeps its sealed content for the team's retention period
(default 180 days) so staff can look back. A contact that became a case
keeps everything as long as the case is open or accepted (the person is
still in the programme), and for the retention period after the case closed
or was declined. A submission kept unverified in a flood and never moved into
the queue goes the same time after it came. Then everything sealed — the
message, the number, notes, follow-ups, replies, and everything recorded on
the case — and the receipt's hash are deleted. What stays is what the
yearly follow-up counts: kind, channel, dates, how it ended. One evicted
from a full unverified list (utvag.eviction) lost its sealed part then; the
receipt's hash, kept so the person hears we did not keep it, goes the same
time after it came.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from utvag.db import utcnow
from utvag.models import (
    CallAttempt,
    Case,
    CaseAssessment,
    CaseCheck,
    CaseConsent,
    CaseMeeting,
    Contact,
    ContactMessage,
    ContactStatus,
    RegisterCheck,
    Team,
    VoiceMessage,
)
from utvag.repo import audit

# Kept in the column so the row stays valid; opens to nothing.
PURGED = b""


def _purge_contact(session: Session, contact: Contact, now: datetime) -> None:
    contact.sealed_content = PURGED
    contact.key_id = ""
    contact.receipt_digest = None
    contact.reply_public_key = None
    contact.purged_at = now
    session.execute(delete(ContactMessage).where(ContactMessage.contact_id == contact.id))
    session.execute(delete(VoiceMessage).where(VoiceMessage.contact_id == contact.id))
    for attempt in session.scalars(select(CallAttempt).where(CallAttempt.contact_id == contact.id)):
        attempt.sealed_note = None
    case = session.scalar(select(Case).where(Case.contact_id == contact.id))
    if case is not None:
        _purge_case(session, case)


def _purge_case(session: Session, case: Case) -> None:
    case.sealed_notes = None
    for check in session.scalars(select(CaseCheck).where(CaseCheck.case_id == case.id)):
        check.sealed_note = None
    for assessment in session.scalars(
        select(CaseAssessment).where(CaseAssessment.case_id == case.id)
    ):
        assessment.sealed_content = PURGED
    for meeting in session.scalars(select(CaseMeeting).where(CaseMeeting.case_id == case.id)):
        meeting.sealed_notes = None
    for register in session.scalars(select(RegisterCheck).where(RegisterCheck.case_id == case.id)):
        register.sealed_note = None
    for consent in session.scalars(select(CaseConsent).where(CaseConsent.case_id == case.id)):
        consent.sealed_content = PURGED


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Purge every contact past its team's retention; returns how many."""
    now = now or utcnow()
    purged = 0
    for team in session.scalars(select(Team)):
        cutoff = now - timedelta(days=team.retention_days)
        closed = session.scalars(
            select(Contact).where(
                Contact.team_id == team.id,
                Contact.purged_at.is_(None),
                Contact.closed_at < cutoff,
                Contact.status != ContactStatus.CASE_OPENED.value,
            )
        ).all()
        ended = session.scalars(
            select(Contact)
            .join(Case, Case.contact_id == Contact.id)
            .where(
                Contact.team_id == team.id,
                Contact.purged_at.is_(None),
                Case.ended_at < cutoff,
            )
        ).all()
        never_worked = session.scalars(
            select(Contact).where(
                Contact.team_id == team.id,
                Contact.purged_at.is_(None),
                Contact.status == ContactStatus.UNVERIFIED.value,
                Contact.created_at < cutoff,
            )
        ).all()
        gone = [*closed, *ended, *never_worked]
        for contact in gone:
            _purge_contact(session, contact, now)
        # Evicted in a flood (utvag.eviction): the sealed part went then; the
        # receipt's hash, kept to tell the person, goes now.
        for contact in session.scalars(
            select(Contact).where(
                Contact.team_id == team.id,
                Contact.status == ContactStatus.EVICTED.value,
                Contact.receipt_digest.is_not(None),
                Contact.created_at < cutoff,
            )
        ):
            contact.receipt_digest = None
        if gone:
            audit.record(session, "purged", team_id=team.id, details={"contacts": len(gone)})
            purged += len(gone)
    return purged
