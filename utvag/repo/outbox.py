"""The transactional outbox: jobs recorded with the change that needs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.store.models import OutboxEntry

# An entry enqueued this long ago and still not completed is enqueued again:
# Redis may have lost it, or the worker died holding it.
REDELIVER_AFTER = timedelta(minutes=5)

# Which table a job's first argument is a row of, for the jobs that only
# concern that row: when a team is removed (``utvag.repo.team_removal``) its
# entries go with its rows. The jobs left out clean up at Twilio
# (``forget_call``; ``store_voice_message`` deletes the recording even when
# its contact is gone) and must run whatever was removed. A test checks every
# job in the registry is in exactly one of the two.
ROW_NAMED_BY_JOB: dict[str, str] = {
    "notify_new_contact": "contacts",
    "notify_contact_due": "contacts",
    "notify_follow_up": "contact_messages",
    "call_again_requested": "contacts",
    "call_from_chosen": "contacts",
    "log_switchboard_outcome": "contacts",
    # A staff notice's SMS: the notice's row goes with its team (the text is
    # fixed and names nothing; the job would find no row to send or forget).
    "send_staff_notice": "staff_notices",
}
JOBS_KEPT_ON_TEAM_REMOVAL = frozenset({"forget_call", "store_voice_message"})


@dataclass(frozen=True)
class ReadyJob:
    """What RQ needs of an outbox entry: ids only, never content."""

    entry_id: int
    job_name: str
    job_args: tuple[int | str, ...]
    run_at: datetime | None = None

    @classmethod
    def of(cls, entry: OutboxEntry) -> ReadyJob:
        return cls(entry.id, entry.job_name, tuple(entry.job_args), entry.run_at)


def add_job(
    session: Session,
    job_name: str,
    *job_args: int | str,
    run_at: datetime | None = None,
    flush: bool = True,
) -> OutboxEntry:
    """Record a job; keep the returned entry to send it after commit (the
    session holds unchanged objects only weakly, so an id alone would cost a
    SELECT to get it back)."""
    entry = OutboxEntry(job_name=job_name, job_args=list(job_args), run_at=run_at, enqueue_count=0)
    session.add(entry)
    if flush:
        session.flush()
    return entry


# Built once (see ``repo.contacts.insert_contact``).
_INSERT_ENTRY = insert(cast(Table, OutboxEntry.__table__)).returning(OutboxEntry.__table__.c.id)


def insert_job(
    session: Session,
    job_name: str,
    *job_args: int | str,
    run_at: datetime | None = None,
    sending_at: datetime | None = None,
) -> ReadyJob:
    """``add_job`` as one plain INSERT, for a public submission: the ORM's
    unit of work costs more than the row. Nothing enters the session; the
    returned job is what to send after commit. ``sending_at``: the request
    will send it itself right after commit, so it is written already marked
    as sent (one INSERT instead of an INSERT and an UPDATE); if that send
    fails the entry goes back to the relay (``dispatch.return_to_relay``)."""
    entry_id: int = session.execute(
        _INSERT_ENTRY,
        {
            "job_name": job_name,
            "job_args": list(job_args),
            "run_at": run_at,
            "enqueued_at": sending_at,
            "enqueue_count": 1 if sending_at is not None else 0,
        },
    ).scalar_one()
    return ReadyJob(entry_id, job_name, tuple(job_args), run_at)


def entries_to_enqueue(session: Session, now: datetime | None = None) -> list[OutboxEntry]:
    now = now or utcnow()
    stmt = (
        select(OutboxEntry)
        .where(OutboxEntry.completed_at.is_(None))
        .where(
            or_(
                OutboxEntry.enqueued_at.is_(None),
                and_(
                    OutboxEntry.enqueued_at < now - REDELIVER_AFTER,
                    # A scheduled job is only stale once it should have run.
                    or_(
                        OutboxEntry.run_at.is_(None),
                        OutboxEntry.run_at < now - REDELIVER_AFTER,
                    ),
                ),
            )
        )
        .order_by(OutboxEntry.id)
        .limit(500)
    )
    return list(session.scalars(stmt))


def mark_enqueued(session: Session, entry_id: int) -> None:
    entry = session.get(OutboxEntry, entry_id)
    if entry is not None:
        entry.enqueued_at = utcnow()
        entry.enqueue_count += 1


def mark_completed(session: Session, entry_id: int) -> None:
    """One UPDATE, nothing loaded: every job ends here."""
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, OutboxEntry.completed_at.is_(None))
        .values(completed_at=utcnow())
    )


def entries_naming(session: Session, rows_by_table: dict[str, set[int]]) -> list[int]:
    """The ids of entries whose job concerns one of these rows only
    (``ROW_NAMED_BY_JOB``); a job that cleans up at Twilio is never among them."""
    found: list[int] = []
    names = [name for name, table in ROW_NAMED_BY_JOB.items() if table in rows_by_table]
    if not names:
        return found
    for entry_id, job_name, job_args in session.execute(
        select(OutboxEntry.id, OutboxEntry.job_name, OutboxEntry.job_args)
        .where(OutboxEntry.job_name.in_(names))
        .execution_options(yield_per=1000)
    ):
        if job_args and job_args[0] in rows_by_table[ROW_NAMED_BY_JOB[job_name]]:
            found.append(entry_id)
    return found
