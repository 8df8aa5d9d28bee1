"""Deleting what people wrote once it is no longer needed.

A closed contact keeps its sealed content for the team's retention period
(default 180 days) so staff can look back. A contact that became a case
keeps everything as long as the case is open or accepted (the person is
still in the programme), and for the retention period after the case closed
or was declined. A submission kept unverified in a flood and never moved into
the queue goes the same time after it came. Then everything sealed — the
message, the number, notes, follow-ups, replies, and everything recorded on
the case — and the receipt's hashes (of the code and of its keypad form)
are deleted. What stays is what the yearly follow-up counts: kind, channel,
dates, how it ended. What "everything sealed" is comes from the registry of
sealed columns (``utvag.store.models.sealed``). One evicted from a full unverified
list (utvag.repo.eviction) lost its sealed part then; the receipt's hash, kept so
the person hears we did not keep it, goes the same time after it came.

Deleted here is deleted from the live database. An older backup still holds
it, sealed, and opens it (with a password and the console's secrets) for as
long as the team key it was sealed under lives: rotating, re-sealing and
destroying the old key (``utvag.repo.key_destruction``) ends that too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.repo import audit
from utvag.store.models import Case, Contact, ContactStatus, Team
from utvag.store.models.sealed import AtRetention, ContactLink, SealedColumn, purged_at_retention

# Contacts purged per statement: far below SQLite's limit on bound values.
_BATCH = 500
# Kept in a column that may not be empty so the row stays valid; opens to nothing.
PURGED = b""


def _purge_contacts(session: Session, contacts: Sequence[Contact], now: datetime) -> None:
    """Everything sealed about these contacts, as the registry of sealed
    columns lists it (``utvag.store.models.sealed``): emptied, or the row deleted.
    The receipt's hash and the reply key go too; the clear fields stay."""
    emptied = emptied_contact_columns()
    for contact in contacts:
        for column, value in emptied.items():
            setattr(contact, column, value)
    purge_linked_rows(session, [contact.id for contact in contacts])
    for contact in contacts:
        contact.key_id = ""
        contact.receipt_digest = None
        contact.keypad_digest = None
        contact.reply_public_key = None
        contact.purged_at = now


def emptied_contact_columns() -> dict[str, bytes | None]:
    """The contact's own sealed columns as retention leaves them, from the
    registry: for an UPDATE that purges many contacts at once."""
    return {
        entry.column: None if entry.nullable else PURGED
        for entry in purged_at_retention()
        if entry.link is ContactLink.SELF
    }


def purge_linked_rows(session: Session, contact_ids: list[int]) -> None:
    """Everything sealed in the rows that belong to these contacts (their
    messages, calls, case records...), as the registry lists it: emptied, or
    the row deleted."""
    for entry in purged_at_retention():
        if entry.link is ContactLink.SELF:
            continue
        rows = _rows_of(entry, contact_ids)
        if entry.retention is AtRetention.ROW_DELETED:
            session.execute(delete(entry.model).where(rows))
        else:
            emptied = {entry.column: None if entry.nullable else PURGED}
            session.execute(
                update(entry.model).where(rows).values(emptied),
                execution_options={"synchronize_session": False},
            )


def _rows_of(entry: SealedColumn, contact_ids: list[int]):  # type: ignore[no-untyped-def]
    """SQL: the rows of ``entry``'s model that belong to these contacts."""
    model: object = entry.model
    if entry.link is ContactLink.CONTACT_ID:
        return model.contact_id.in_(contact_ids)  # type: ignore[attr-defined]
    if entry.link is ContactLink.CASE_ID:
        cases = select(Case.id).where(Case.contact_id.in_(contact_ids))
        return model.case_id.in_(cases)  # type: ignore[attr-defined]
    raise ValueError(f"{entry.name} is purged at retention but names no way to its contact")


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
        for start in range(0, len(gone), _BATCH):
            _purge_contacts(session, gone[start : start + _BATCH], now)
        # Evicted in a flood (utvag.repo.eviction): the sealed part went then; the
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
            contact.keypad_digest = None
        if gone:
            audit.record(session, "purged", team_id=team.id, details={"contacts": len(gone)})
            purged += len(gone)
    return purged
