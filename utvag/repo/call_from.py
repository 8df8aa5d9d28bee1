"""Which number a person may be called from: the person's choice, and the
changes staff make against it (each with a sealed reason)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.store.models import CallFrom, CallFromChange, Contact


def change_call_from(
    session: Session,
    contact: Contact,
    to: CallFrom,
    *,
    staff_member_id: int,
    sealed_reason: bytes,
    now: datetime | None = None,
) -> CallFromChange | None:
    """Staff change which number the person may be called from, against
    their choice: only with a reason (sealed by the caller), kept beside the
    change. None if it is that already (nothing changes, nothing is kept)."""
    if contact.call_from == to.value:
        return None
    change = CallFromChange(
        contact_id=contact.id,
        team_id=contact.team_id,
        staff_member_id=staff_member_id,
        from_choice=contact.call_from,
        to_choice=to.value,
        at=now or utcnow(),
        sealed_reason=sealed_reason,
    )
    contact.call_from = to.value
    session.add(change)
    session.flush()
    return change


def call_from_changes(session: Session, contact_id: int) -> list[CallFromChange]:
    return list(
        session.scalars(
            select(CallFromChange)
            .where(CallFromChange.contact_id == contact_id)
            .order_by(CallFromChange.at, CallFromChange.id)
        )
    )
