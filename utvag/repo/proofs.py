"""Spent proofs of work: a proof is accepted once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from utvag.store.models import SpentProof


def spend(session: Session, digest: str, expires_at: datetime) -> bool:
    """Record the proof as used, in the caller's transaction; False if it
    already was (a replay, or the same form sent twice at once)."""
    try:
        with session.begin_nested():
            session.add(SpentProof(digest=digest, expires_at=expires_at))
    except IntegrityError:
        return False
    return True


def spent_still_valid(session: Session, now: datetime) -> int:
    """How many proofs were spent that could still be presented: about the
    last few hours' verified submissions, for judging whether a flood is on."""
    return int(
        session.scalar(
            select(func.count()).select_from(SpentProof).where(SpentProof.expires_at > now)
        )
        or 0
    )


def purge_spent(session: Session, now: datetime) -> int:
    """Forget proofs that could no longer be accepted anyway."""
    result = session.execute(delete(SpentProof).where(SpentProof.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def is_spent(session: Session, digest: str) -> bool:
    return session.get(SpentProof, digest) is not None
