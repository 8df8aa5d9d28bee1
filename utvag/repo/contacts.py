"""Contacts: created sealed by the public app, listed and read by the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.db import utcnow
from utvag.due import CallbackWindow, due_time
from utvag.models import Contact, Team
from utvag.repo import outbox
from utvag.repo.teams import calendar_for

NEW_CONTACT_JOB = "notify_new_contact"


@dataclass(frozen=True)
class SealedSubmission:
    """What the public app hands over: clear queue fields and sealed bytes only."""

    kind: str
    channel: str
    wants_callback: bool
    callback_window: CallbackWindow | None
    key_id: str
    sealed_content: bytes
    receipt_digest: str
    reply_public_key: bytes


def create_contact(
    session: Session, team: Team, submission: SealedSubmission, now: datetime | None = None
) -> tuple[Contact, int]:
    """Store a contact and, in the same transaction, its "new contact" job.

    Returns the contact and the outbox entry's id, to enqueue after commit.
    """
    now = now or utcnow()
    window = submission.callback_window or CallbackWindow.ASAP
    contact = Contact(
        team_id=team.id,
        kind=submission.kind,
        channel=submission.channel,
        wants_callback=submission.wants_callback,
        callback_window=submission.callback_window.value if submission.callback_window else None,
        created_at=now,
        due_at=due_time(calendar_for(team), window, now),
        key_id=submission.key_id,
        sealed_content=submission.sealed_content,
        receipt_digest=submission.receipt_digest,
        reply_public_key=submission.reply_public_key,
    )
    session.add(contact)
    session.flush()
    entry = outbox.add_job(session, NEW_CONTACT_JOB, contact.id)
    return contact, entry.id


def contact_by_receipt(session: Session, receipt_digest: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.receipt_digest == receipt_digest))


def contact_for_team(session: Session, team_id: int, contact_id: int) -> Contact | None:
    return session.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.team_id == team_id)
    )


def queue_for_team(session: Session, team_id: int) -> list[Contact]:
    """The team's contacts, the one due first at the top."""
    return list(
        session.scalars(
            select(Contact).where(Contact.team_id == team_id).order_by(Contact.due_at, Contact.id)
        )
    )
