"""A thousand due notices through the worker against a thousand no-op RQ jobs,
the same queue, the same Redis, the same SimpleWorker, each run timed with
nothing else in the queue."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from bench.environment import Database
from utvag.clock import utcnow
from utvag.config import Config
from utvag.jobs import NOTIFICATIONS_QUEUE, context
from utvag.jobs.context import AppContext
from utvag.jobs.notices import notify_contact_due
from utvag.jobs.queue_events import queue_version_key
from utvag.repo import outbox
from utvag.store.db import transaction
from utvag.store.models import Contact, OutboxEntry

JOB_ROUNDS = 5


def noop(outbox_id: int, contact_id: int) -> None:
    """The baseline job: takes the same ids, does nothing."""


def _config(database: Database) -> Config:
    return Config(
        data_dir=database.data_dir,
        database_url=database.url,
        redis_url=database.redis_url,
        public_url="http://127.0.0.1",
        twilio=None,
    )


def _drain(queue: Queue, count: int) -> float:
    """Seconds for the worker to run the queue dry; the queue must hold
    exactly ``count`` jobs, the ones being measured, and none may fail."""
    assert queue.count == count, f"the queue holds {queue.count} jobs, not the {count} measured"
    failed_before = queue.failed_job_registry.count
    started = time.perf_counter()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    seconds = time.perf_counter() - started
    assert queue.count == 0, "the worker left jobs in the queue"
    assert queue.failed_job_registry.count == failed_before, "a measured job failed"
    return seconds


def due_notices_vs_noop(database: Database, count: int) -> tuple[float, float, float]:
    """Seconds for ``count`` real due notices, for ``count`` no-op jobs, and
    the median of the rounds' ratios.

    Every due notice must have done its work: its outbox entry completed and
    the console told (the team's queue badge moved once for each)."""
    connection = redis.Redis.from_url(database.redis_url)
    ctx = AppContext.build(_config(database), connection)
    context.bind(ctx)
    try:
        with transaction(ctx.session_factory) as session:
            contacts = list(
                session.execute(
                    select(Contact.id, Contact.team_id).order_by(Contact.id).limit(count)
                )
            )
            assert len(contacts) == count, "the bench needs contacts to notify about"
            contact_ids = [contact_id for contact_id, _ in contacts]
            [team_id] = {team for _, team in contacts}
            for contact_id in contact_ids:
                session.get(Contact, contact_id).due_at = utcnow() - timedelta(minutes=1)  # type: ignore[union-attr]
            entries = [
                (outbox.add_job(session, "notify_contact_due", contact_id).id, contact_id)
                for contact_id in contact_ids
            ]
        badge = queue_version_key(team_id)
        announced_before = int(connection.get(badge) or 0)
        queue = Queue(NOTIFICATIONS_QUEUE, connection=connection)
        # The submissions measured before left their own jobs here; timed
        # with the baseline, they made it look ten times slower than it is.
        queue.empty()
        # In rounds, baseline and measured back to back, each round on its
        # own contacts; the total of each is reported, the ratio judged is
        # the median of the rounds' own ratios (see bench.submissions).
        chunk = max(1, count // JOB_ROUNDS)
        baseline = measured = 0.0
        ratios = []
        for start in range(0, count, chunk):
            these = entries[start : start + chunk]
            for entry_id, contact_id in these:
                queue.enqueue(noop, entry_id, contact_id)
            noop_seconds = _drain(queue, len(these))
            for entry_id, contact_id in these:
                queue.enqueue(notify_contact_due, entry_id, contact_id)
            due_seconds = _drain(queue, len(these))
            baseline += noop_seconds
            measured += due_seconds
            ratios.append(due_seconds / noop_seconds)
        with ctx.session_factory() as session:
            done = session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(
                    OutboxEntry.id.in_([entry_id for entry_id, _ in entries]),
                    OutboxEntry.completed_at.is_not(None),
                )
            )
        assert done == count, f"only {done} of {count} due notices did their work"
        announced = int(connection.get(badge) or 0) - announced_before
        assert announced == count, f"{announced} of {count} due notices reached the console"
        return measured, baseline, statistics.median(ratios)
    finally:
        context.bind(None)
        ctx.engine.dispose()
