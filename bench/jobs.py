"""A thousand due notices through the worker against a thousand no-op RQ jobs,
the same queue, the same Redis, the same SimpleWorker."""

from __future__ import annotations

import time
from datetime import timedelta

import redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from bench.environment import Database
from utvag import context
from utvag.config import Config
from utvag.context import AppContext
from utvag.db import transaction, utcnow
from utvag.jobs import NOTIFICATIONS_QUEUE, notify_contact_due
from utvag.models import Contact, OutboxEntry
from utvag.repo import outbox


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


def _drain(connection: redis.Redis) -> float:
    started = time.perf_counter()
    SimpleWorker([NOTIFICATIONS_QUEUE], connection=connection).work(burst=True)
    return time.perf_counter() - started


def due_notices_vs_noop(database: Database, count: int) -> tuple[float, float]:
    """Seconds for ``count`` real due notices, and for ``count`` no-op jobs.

    Every due notice must have done its work (its outbox entry completed)."""
    connection = redis.Redis.from_url(database.redis_url)
    ctx = AppContext.build(_config(database), connection)
    context.bind(ctx)
    try:
        with transaction(ctx.session_factory) as session:
            contact_ids = list(
                session.scalars(select(Contact.id).order_by(Contact.id).limit(count))
            )
            assert len(contact_ids) == count, "the bench needs contacts to notify about"
            for contact_id in contact_ids:
                session.get(Contact, contact_id).due_at = utcnow() - timedelta(minutes=1)  # type: ignore[union-attr]
            entries = [
                (outbox.add_job(session, "notify_contact_due", contact_id).id, contact_id)
                for contact_id in contact_ids
            ]
        queue = Queue(NOTIFICATIONS_QUEUE, connection=connection)
        for entry_id, contact_id in entries:
            queue.enqueue(noop, entry_id, contact_id)
        baseline = _drain(connection)
        for entry_id, contact_id in entries:
            queue.enqueue(notify_contact_due, entry_id, contact_id)
        measured = _drain(connection)
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
        return measured, baseline
    finally:
        context.bind(None)
        ctx.engine.dispose()
