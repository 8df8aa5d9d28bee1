"""The hash-chained audit trail: append and verify.

A row's hash covers its own fields and its predecessor's hash, so altering,
removing or reordering any row breaks every hash after it.

Appending is serialised: events recorded during a transaction are chained in
a hook just before it commits, under a lock, so several console, intake and
worker processes appending at once never fork the chain and never make a
business action fail (``test_audit_concurrency``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.event import listen
from sqlalchemy.orm import Session, SessionTransaction

from utvag.clock import utcnow
from utvag.store.models import AuditEvent

GENESIS_HASH = "0" * 64
_PENDING = "utvag.audit.pending"
# Any fixed 64-bit number; every appender takes the same advisory lock.
CHAIN_LOCK_KEY = 0x75747661672D6175


def _row_hash(
    prev_hash: str,
    at: datetime,
    team_id: int | None,
    actor_id: int | None,
    actor_name: str | None,
    action: str,
    contact_id: int | None,
    details: dict[str, Any],
) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "at": at.isoformat(timespec="microseconds"),
            "team": team_id,
            "actor": actor_id,
            "actor_name": actor_name,
            "action": action,
            "contact": contact_id,
            "details": details,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _last_hash(session: Session) -> str:
    last = session.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
    return last or GENESIS_HASH


@dataclass(frozen=True)
class PendingEvent:
    """An event recorded in a transaction, chained when that transaction commits."""

    at: datetime
    team_id: int | None
    actor_id: int | None
    actor_name: str | None
    action: str
    contact_id: int | None
    details: dict[str, Any]


def record(
    session: Session,
    action: str,
    *,
    team_id: int | None = None,
    actor_id: int | None = None,
    actor_name: str | None = None,
    contact_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> PendingEvent:
    """Record one event; it is appended to the chain when ``session`` commits.

    Details must never hold content, numbers or addresses. The event lives
    and dies with the business change it records: a rollback drops it, a
    commit writes both or neither.
    """
    event = PendingEvent(
        at=utcnow(),
        team_id=team_id,
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        contact_id=contact_id,
        details=details or {},
    )
    session.info.setdefault(_PENDING, []).append(event)
    return event


def _take_chain_lock(session: Session) -> None:
    """Serialise appends: only one transaction at a time reads the chain's head
    and writes after it, until it commits.

    PostgreSQL: a transaction-scoped advisory lock, taken only here, at the
    very end of the transaction, after which the transaction takes no other
    lock, so it cannot deadlock with anything. SQLite: every transaction
    already holds the database's write lock from its start (``BEGIN
    IMMEDIATE``, see ``utvag.store.db``).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def append_pending(session: Session) -> None:
    """Before a commit: chain every event recorded in this transaction."""
    pending: list[PendingEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    _take_chain_lock(session)
    prev_hash = _last_hash(session)
    for event in pending:
        row_hash = _row_hash(
            prev_hash,
            event.at,
            event.team_id,
            event.actor_id,
            event.actor_name,
            event.action,
            event.contact_id,
            event.details,
        )
        session.add(
            AuditEvent(
                at=event.at,
                team_id=event.team_id,
                actor_id=event.actor_id,
                actor_name=event.actor_name,
                action=event.action,
                contact_id=event.contact_id,
                details=event.details,
                prev_hash=prev_hash,
                row_hash=row_hash,
            )
        )
        # One at a time, so ids follow the chain's order.
        session.flush()
        prev_hash = row_hash


def drop_pending(session: Session, transaction: SessionTransaction) -> None:
    """When a transaction ends without committing, what it recorded did not happen.

    Only the outermost transaction counts: a savepoint rolled back inside it
    (a lost race for a throttle row) leaves the business change, and its
    events, standing.
    """
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


# The hook, on every session of every process: registered by this module on
# SQLAlchemy's Session class, not installed by the engine module (which would
# have to import this one, and this one imports the models built on it). An
# event exists only through ``record`` above, so the hook is in place before
# the first event does.
listen(Session, "before_commit", append_pending)
listen(Session, "after_transaction_end", drop_pending)


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    reason: str


def verify_chain(session: Session) -> list[ChainProblem]:
    """Walk the whole trail in order; an empty list means it is intact."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS_HASH
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.prev_hash != expected_prev:
            problems.append(ChainProblem(event.id, "does not follow the row before it"))
        recomputed = _row_hash(
            event.prev_hash,
            event.at,
            event.team_id,
            event.actor_id,
            event.actor_name,
            event.action,
            event.contact_id,
            event.details,
        )
        if recomputed != event.row_hash:
            problems.append(ChainProblem(event.id, "was altered"))
        expected_prev = event.row_hash
    return problems


def chain_head(session: Session) -> tuple[int, str]:
    """How many events there are and the newest one's hash."""
    count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return int(count), _last_hash(session)


def contains_hash(session: Session, row_hash: str) -> bool:
    return (
        session.scalar(select(AuditEvent.id).where(AuditEvent.row_hash == row_hash.strip()))
        is not None
    )
