"""Forwarded hotline calls the duty phone took (see ``AnsweredCall``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from utvag.store.models import AnsweredCall

# A forwarded call is over long before this; the row is only needed until
# its caller's leg asked.
KEEP_ANSWERED_CALLS = timedelta(days=1)


def mark_answered(session: Session, call_digest: str) -> None:
    if session.get(AnsweredCall, call_digest) is None:
        session.add(AnsweredCall(call_digest=call_digest))


def was_answered(session: Session, call_digest: str) -> bool:
    found = session.scalar(
        select(AnsweredCall.call_digest).where(AnsweredCall.call_digest == call_digest)
    )
    return found is not None


def purge_answered_calls(session: Session, now: datetime) -> int:
    result = session.execute(
        delete(AnsweredCall).where(AnsweredCall.answered_at < now - KEEP_ANSWERED_CALLS)
    )
    return int(getattr(result, "rowcount", 0) or 0)
