"""The hash-chained audit trail: append and verify.

A row's hash covers its own fields and its predecessor's hash, so altering,
removing or reordering any row breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from utvag.db import utcnow
from utvag.models import AuditEvent

GENESIS_HASH = "0" * 64
_APPEND_TRIES = 8


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


def record(
    session: Session,
    action: str,
    *,
    team_id: int | None = None,
    actor_id: int | None = None,
    actor_name: str | None = None,
    contact_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Details must never hold content, numbers or addresses."""
    details = details or {}
    at = utcnow()
    for _ in range(_APPEND_TRIES):
        prev_hash = _last_hash(session)
        event = AuditEvent(
            at=at,
            team_id=team_id,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            contact_id=contact_id,
            details=details,
            prev_hash=prev_hash,
            row_hash=_row_hash(
                prev_hash, at, team_id, actor_id, actor_name, action, contact_id, details
            ),
        )
        try:
            with session.begin_nested():
                session.add(event)
                session.flush()
        except IntegrityError:
            # Another writer took this predecessor first; chain onto theirs.
            continue
        return event
    raise RuntimeError("could not append to the audit trail")


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
