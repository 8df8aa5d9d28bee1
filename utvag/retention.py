"""Deleting what people wrote once it is no longer needed.

A closed contact keeps its sealed content for the team's retention period
(default 180 days) so staff can look back; a contact that became a case
keeps it until the case has been decided for that long. Then everything
sealed — the message, the number, notes, follow-ups, replies — and the
receipt's hash are deleted. What stays is what the yearly follow-up counts:
kind, channel, dates, how it ended.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from utvag.db import utcnow
from utvag.models import (
    CallAttempt,
    Case,
    CaseCheck,
    Contact,
    ContactMessage,
    ContactStatus,
    Team,
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
    for attempt in session.scalars(select(CallAttempt).where(CallAttempt.contact_id == contact.id)):
        attempt.sealed_note = None
    case = session.scalar(select(Case).where(Case.contact_id == contact.id))
    if case is not None:
        case.sealed_notes = None
        for check in session.scalars(select(CaseCheck).where(CaseCheck.case_id == case.id)):
            check.sealed_note = None


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
        decided = session.scalars(
            select(Contact)
            .join(Case, Case.contact_id == Contact.id)
            .where(
                Contact.team_id == team.id,
                Contact.purged_at.is_(None),
                Case.decided_at < cutoff,
            )
        ).all()
        for contact in [*closed, *decided]:
            _purge_contact(session, contact, now)
        if closed or decided:
            audit.record(
                session,
                "purged",
                team_id=team.id,
                details={"contacts": len(closed) + len(decided)},
            )
            purged += len(closed) + len(decided)
    return purged
