"""Moving outbox entries into RQ: right after commit, and by the worker's relay.

A request that made jobs marks the immediate ones as sent *in its own
transaction* (``claim_for_sending``), then after the commit sends them to
Redis in one pipeline, one round trip (``send``). If Redis is down or slow,
it unmarks them (``return_to_relay``) and the worker's relay sends them within
seconds; the person is never kept waiting and nothing is lost. Scheduled
jobs (a due notice) are always left to the relay: they are not urgent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

import redis
from rq import Queue
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from utvag.clock import utcnow
from utvag.jobs import JOB_QUEUES, job_path
from utvag.repo import outbox
from utvag.repo.outbox import ReadyJob
from utvag.store.db import transaction
from utvag.store.models import OutboxEntry

log = logging.getLogger(__name__)

JOB_RESULT_TTL = timedelta(hours=1)
JOB_FAILURE_TTL = timedelta(days=7)


def _enqueue(
    redis_client: redis.Redis, pipe: redis.client.Pipeline, job: ReadyJob, now: datetime
) -> None:
    """Queue one job on the pipeline. The job id is derived from the entry, so
    sending twice replaces rather than duplicates."""
    queue = Queue(JOB_QUEUES[job.job_name], connection=redis_client)
    job_id = f"outbox-{job.entry_id}"
    result_ttl = int(JOB_RESULT_TTL.total_seconds())
    failure_ttl = int(JOB_FAILURE_TTL.total_seconds())
    # A dotted path, not the function: RQ stores what it is given, and this
    # path outlives a move of the job's module (``utvag.jobs.job_path``).
    function = job_path(job.job_name)
    if job.run_at is not None and job.run_at > now:
        # RQ's scheduler (the worker runs with_scheduler) holds it until then.
        queue.enqueue_at(
            job.run_at,
            function,
            job.entry_id,
            *job.job_args,
            job_id=job_id,
            result_ttl=result_ttl,
            failure_ttl=failure_ttl,
            pipeline=pipe,
        )
    else:
        queue.enqueue_call(
            function,
            args=(job.entry_id, *job.job_args),
            job_id=job_id,
            result_ttl=result_ttl,
            failure_ttl=failure_ttl,
            pipeline=pipe,
        )


def send(redis_client: redis.Redis, jobs: Iterable[ReadyJob]) -> bool:
    """Send jobs to Redis in one pipeline; False on any Redis fault (nothing
    is lost: the entries are still in the outbox)."""
    jobs = list(jobs)
    if not jobs:
        return True
    now = utcnow()
    try:
        with redis_client.pipeline() as pipe:
            # RQ expects a MULTI pipeline (it calls multi() itself on an
            # empty one, and fails if commands came first).
            pipe.multi()
            for job in jobs:
                _enqueue(redis_client, pipe, job, now)
            pipe.execute()
    except redis.RedisError as error:
        log.warning("%s outbox entries left for the relay: %s", len(jobs), type(error).__name__)
        return False
    return True


def claim_for_sending(session: Session, entries: list[OutboxEntry]) -> list[ReadyJob]:
    """In the transaction that made them: mark the immediate entries as sent
    and return them, to ``send`` once the transaction has committed."""
    now = utcnow()
    ready = []
    for entry in entries:
        if entry.run_at is not None:
            continue  # scheduled: the relay sends it
        entry.enqueued_at = now
        entry.enqueue_count += 1
        ready.append(ReadyJob.of(entry))
    return ready


def return_to_relay(session_factory: sessionmaker[Session], jobs: list[ReadyJob]) -> None:
    """``send`` failed: let the relay send them at its next round."""
    if not jobs:
        return
    with transaction(session_factory) as session:
        session.execute(
            update(OutboxEntry)
            .where(
                OutboxEntry.id.in_([job.entry_id for job in jobs]),
                OutboxEntry.completed_at.is_(None),
            )
            .values(enqueued_at=None)
            .execution_options(synchronize_session=False)
        )


def send_after_commit(
    session_factory: sessionmaker[Session], redis_client: redis.Redis, jobs: list[ReadyJob]
) -> None:
    """The step after a request's commit: send, or hand back to the relay."""
    if not send(redis_client, jobs):
        return_to_relay(session_factory, jobs)


def relay(
    session_factory: sessionmaker[Session],
    redis_client: redis.Redis,
    now: datetime | None = None,
) -> int:
    """Send every entry not yet sent, or sent long ago and not done: one read,
    one pipeline, one write."""
    with session_factory() as session:
        pending = [ReadyJob.of(entry) for entry in outbox.entries_to_enqueue(session, now)]
    if not pending or not send(redis_client, pending):
        return 0
    with transaction(session_factory) as session:
        for job in pending:
            outbox.mark_enqueued(session, job.entry_id)
    return len(pending)
