"""Follow-ups from the person and replies from staff, both sealed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.repo import outbox
from utvag.store.models import Contact, ContactMessage, MessageDirection, OutboxEntry

FOLLOW_UP_JOB = "notify_follow_up"


def add_follow_up(
    session: Session, contact: Contact, sealed_content: bytes
) -> tuple[ContactMessage, OutboxEntry]:
    """The person wrote again with their receipt code. Returns the message and
    the outbox entry that tells the console (content-free)."""
    message = ContactMessage(
        contact_id=contact.id,
        direction=MessageDirection.FROM_PERSON.value,
        sealed_content=sealed_content,
    )
    session.add(message)
    session.flush()
    if contact.unseen_follow_up_at is None:
        contact.unseen_follow_up_at = message.created_at
    return message, outbox.add_job(session, FOLLOW_UP_JOB, message.id)


def add_reply(
    session: Session,
    contact: Contact,
    sealed_to_person: bytes,
    author_id: int,
    sealed_for_team: bytes | None = None,
) -> ContactMessage:
    """A staff reply: the person's copy, and the team's copy of the same words."""
    message = ContactMessage(
        contact_id=contact.id,
        direction=MessageDirection.TO_PERSON.value,
        sealed_content=sealed_to_person,
        sealed_for_team=sealed_for_team,
        author_id=author_id,
    )
    session.add(message)
    session.flush()
    return message


def messages_for(session: Session, contact_id: int) -> list[ContactMessage]:
    return list(
        session.scalars(
            select(ContactMessage)
            .where(ContactMessage.contact_id == contact_id)
            .order_by(ContactMessage.created_at, ContactMessage.id)
        )
    )


def replies_for(session: Session, contact_id: int) -> list[ContactMessage]:
    return [
        message
        for message in messages_for(session, contact_id)
        if message.direction == MessageDirection.TO_PERSON.value
    ]


def mark_follow_ups_seen(session: Session, contact: Contact, now: datetime | None = None) -> None:
    """A member opened the contact: its follow-ups are seen, it leaves the news list."""
    contact.unseen_follow_up_at = None
    contact_id = contact.id
    session.execute(
        update(ContactMessage)
        .where(
            ContactMessage.contact_id == contact_id,
            ContactMessage.direction == MessageDirection.FROM_PERSON.value,
            ContactMessage.seen_at.is_(None),
        )
        .values(seen_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
