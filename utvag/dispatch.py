"""Moving outbox entries into RQ: right after commit, and by the worker's relay."""

from __future__ import annotations

import logging
from datetime import timedelta

import redis
from rq import Queue
from sqlalchemy.orm import Session, sessionmaker

from utvag.db import transaction, utcnow
from utvag.jobs import JOB_FUNCTIONS, JOB_QUEUES
from utvag.models import OutboxEntry
from utvag.repo import outbox

log = logging.getLogger(__name__)

JOB_RESULT_TTL = timedelta(hours=1)
JOB_FAILURE_TTL = timedelta(days=7)


def enqueue(redis_client: redis.Redis, entry: OutboxEntry) -> None:
    """Put one outbox entry on its queue. The job id is derived from the entry,
    so enqueueing twice replaces rather than duplicates."""
    queue = Queue(JOB_QUEUES[entry.job_name], connection=redis_client)
    options = {
        "job_id": f"outbox-{entry.id}",
        "result_ttl": int(JOB_RESULT_TTL.total_seconds()),
        "failure_ttl": int(JOB_FAILURE_TTL.total_seconds()),
    }
    function = JOB_FUNCTIONS[entry.job_name]
    if entry.run_at is not None and entry.run_at > utcnow():
        # RQ's scheduler (the worker runs with_scheduler) holds it until then.
        queue.enqueue_at(entry.run_at, function, entry.id, *entry.job_args, **options)
    else:
        queue.enqueue(function, entry.id, *entry.job_args, **options)


def try_enqueue(
    session_factory: sessionmaker[Session], redis_client: redis.Redis, entry_ids: list[int]
) -> int:
    """Enqueue freshly committed entries; on a Redis fault leave them to the relay.

    Returns how many went out. Never raises for Redis: the person's
    submission is already safe in the database.
    """
    sent = 0
    for entry_id in entry_ids:
        with transaction(session_factory) as session:
            entry = session.get(OutboxEntry, entry_id)
            if entry is None or entry.completed_at is not None:
                continue
            try:
                enqueue(redis_client, entry)
            except redis.RedisError as error:
                log.warning(
                    "outbox entry %s left for the relay: %s", entry_id, type(error).__name__
                )
                continue
            outbox.mark_enqueued(session, entry_id)
            sent += 1
    return sent


def relay(session_factory: sessionmaker[Session], redis_client: redis.Redis) -> int:
    """Enqueue every entry not yet enqueued, or enqueued long ago and not done."""
    with session_factory() as session:
        pending = [entry.id for entry in outbox.entries_to_enqueue(session)]
    return try_enqueue(session_factory, redis_client, pending) if pending else 0
