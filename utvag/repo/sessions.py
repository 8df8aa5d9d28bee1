"""Staff session rows, as the data layer sees them: deleting the expired ones.

Opening a session's keys is the console's business (``triage.keys.keyring``);
deleting rows needs no key, so the worker can do it on its schedule.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.store.models import StaffSession


def purge_expired_sessions(
    session: Session, *, idle: timedelta, lifetime: timedelta, now: datetime | None = None
) -> int:
    """Delete every session idle longer than ``idle`` or older than ``lifetime``,
    and with each row the team keys sealed in it; returns how many."""
    now = now or utcnow()
    result = session.execute(
        delete(StaffSession).where(
            (StaffSession.last_seen_at < now - idle) | (StaffSession.created_at < now - lifetime)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
