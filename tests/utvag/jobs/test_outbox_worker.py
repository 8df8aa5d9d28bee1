"""The outbox and the worker: jobs carry ids only, and a fault loses nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from flask.testing import FlaskClient
from rq import Queue
from sqlalchemy import select
from support import TeamFixture, post_form

import worker
from utvag.clock import utcnow
from utvag.jobs import JOB_FUNCTIONS, JOB_QUEUES, WORKER_QUEUES
from utvag.jobs.context import AppContext
from utvag.jobs.dispatch import relay
from utvag.jobs.queue_events import QUEUE_EVENTS_CHANNEL
from utvag.store.db import transaction
from utvag.store.models import Contact, OutboxEntry

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _run_worker(ctx: AppContext) -> None:
    worker.build_worker(ctx).work(burst=True)


def _entries(session_factory) -> list[OutboxEntry]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)))


def test_every_job_kind_has_a_queue_the_worker_listens_on() -> None:
    assert set(JOB_FUNCTIONS) == set(JOB_QUEUES)
    assert set(JOB_QUEUES.values()) <= set(WORKER_QUEUES)


def test_a_new_contact_is_announced_without_content(
    client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    redis_client: redis.Redis,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    events = redis_client.pubsub()
    events.subscribe(QUEUE_EVENTS_CHANNEL)
    post_form(client, "/en/message", {"message": "secret words"})
    [job] = Queue("notifications", connection=redis_client).jobs
    assert job.args[1:] == (1,)  # the contact id, nothing else

    _run_worker(app_context)

    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
    assert contact.notified_at is not None
    [entry] = _entries(session_factory)
    assert entry.completed_at is not None
    messages = [m for m in iter(lambda: events.get_message(timeout=0.5), None) if m]
    announced = [m["data"] for m in messages if m["type"] == "message"]
    # Pub/sub channels are server-wide, not per Redis database: a test run
    # beside this one may announce its own team too. Each announcement is a
    # bare team id, and ours is among them.
    assert str(team.created.team.id).encode() in announced
    assert all(data.isdigit() for data in announced)
    events.close()


def test_the_relay_delivers_what_redis_never_got(
    team: TeamFixture,
    config,  # type: ignore[no-untyped-def]
    app_context: AppContext,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from intake_web import create_app

    offline_site = create_app(config.with_changes(redis_url="redis://127.0.0.1:1/0"))
    post_form(offline_site.test_client(), "/en/message", {"message": "while redis was down"})
    offline_site.extensions["utvag"].engine.dispose()
    assert _entries(session_factory)[0].enqueued_at is None

    assert relay(app_context.session_factory, app_context.redis_client) == 1
    _run_worker(app_context)

    [entry] = _entries(session_factory)
    assert entry.completed_at is not None


def test_a_job_lost_with_its_worker_is_enqueued_again(
    client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    redis_client: redis.Redis,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/en/message", {"message": "hello"})
    redis_client.flushdb()  # Redis restarted without the job, or the worker died with it

    assert relay(app_context.session_factory, app_context.redis_client) == 0  # not yet stale
    with transaction(session_factory) as session:
        [entry] = session.scalars(select(OutboxEntry))
        entry.enqueued_at = utcnow() - timedelta(minutes=10)
    assert relay(app_context.session_factory, app_context.redis_client) == 1
    _run_worker(app_context)

    [entry] = _entries(session_factory)
    assert entry.completed_at is not None
    assert entry.enqueue_count == 2


def test_running_a_job_twice_changes_nothing_more(
    client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.jobs.notices import notify_new_contact

    post_form(client, "/en/message", {"message": "hello"})
    _run_worker(app_context)
    with session_factory() as session:
        first = session.scalars(select(Contact.notified_at)).one()

    notify_new_contact(1, 1)

    with session_factory() as session:
        assert session.scalars(select(Contact.notified_at)).one() == first


def test_a_contact_arriving_out_of_hours_is_announced_when_it_becomes_due(
    client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    redis_client: redis.Redis,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    from rq.registry import ScheduledJobRegistry
    from rq.scheduler import RQScheduler

    from utvag.jobs.queue_events import queue_version_key

    time_machine.move_to("2026-11-28T11:00:00+01:00", tick=True)  # a Saturday
    post_form(client, "/en/callback", {"phone": "0701234567"})
    _run_worker(app_context)
    assert redis_client.get(queue_version_key(team.created.team.id)) == b"1"

    with session_factory() as session:
        [due_entry] = session.scalars(
            select(OutboxEntry).where(OutboxEntry.job_name == "notify_contact_due")
        )
    assert due_entry.run_at.isoformat() == "2026-11-30T07:00:00+00:00"  # Monday 08:00
    registry = ScheduledJobRegistry("notifications", connection=redis_client)
    assert registry.get_job_ids() == []  # not urgent: the relay sends it, not the request
    relay(session_factory, redis_client)
    assert registry.get_job_ids() == [f"outbox-{due_entry.id}"]

    time_machine.move_to("2026-11-30T08:00:30+01:00", tick=True)
    scheduler = RQScheduler(["notifications"], connection=redis_client)
    scheduler.acquire_locks()
    scheduler.enqueue_scheduled_jobs()
    scheduler.release_locks()
    _run_worker(app_context)

    assert redis_client.get(queue_version_key(team.created.team.id)) == b"2"
    with session_factory() as session:
        assert session.get(OutboxEntry, due_entry.id).completed_at is not None


def test_a_due_notice_for_a_contact_that_moved_on_announces_nothing(
    client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    redis_client: redis.Redis,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.jobs.notices import notify_contact_due
    from utvag.jobs.queue_events import queue_version_key
    from utvag.store.models import ContactStatus

    post_form(client, "/en/callback", {"phone": "0701234567"})
    with transaction(session_factory) as session:
        contact = session.scalars(select(Contact)).one()
        contact.status = ContactStatus.CLOSED.value
        entry = OutboxEntry(job_name="notify_contact_due", job_args=[contact.id])
        session.add(entry)
        session.flush()
        entry_id, contact_id = entry.id, contact.id

    notify_contact_due(entry_id, contact_id)

    assert redis_client.get(queue_version_key(team.created.team.id)) is None


def test_a_due_notice_announces_once_and_only_when_due(
    client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    redis_client: redis.Redis,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    """The outbox may deliver a job twice: the badge moves once. A contact
    re-slotted to later is not announced now."""
    from utvag.jobs.notices import notify_contact_due
    from utvag.jobs.queue_events import queue_version_key

    post_form(client, "/en/callback", {"phone": "0701234567"})
    post_form(client, "/en/callback", {"phone": "0701234568"})
    with transaction(session_factory) as session:
        due, later = session.scalars(select(Contact).order_by(Contact.id)).all()
        later.due_at = utcnow() + timedelta(hours=1)
        entries = [
            OutboxEntry(job_name="notify_contact_due", job_args=[c.id]) for c in (due, later)
        ]
        session.add_all(entries)
        session.flush()
        jobs = [
            (entry.id, contact.id) for entry, contact in zip(entries, (due, later), strict=True)
        ]

    for entry_id, contact_id in [jobs[0], jobs[0], jobs[1]]:
        notify_contact_due(entry_id, contact_id)

    assert redis_client.get(queue_version_key(team.created.team.id)) == b"1"
    with session_factory() as session:
        assert all(session.get(OutboxEntry, entry_id).completed_at for entry_id, _ in jobs)


def test_the_relay_sends_scheduled_and_immediate_jobs_in_one_pipeline(
    redis_client: redis.Redis,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    """A scheduled job first, then an immediate one: the order RQ's own
    pipeline handling once tripped over."""
    from datetime import timedelta

    from rq.registry import ScheduledJobRegistry

    from utvag.clock import utcnow
    from utvag.repo import outbox
    from utvag.store.db import transaction

    with transaction(session_factory) as session:
        later = outbox.add_job(session, "notify_contact_due", 1)
        later.run_at = utcnow() + timedelta(hours=1)
        now = outbox.add_job(session, "notify_new_contact", 2)
        ids = (later.id, now.id)
    assert relay(session_factory, redis_client) == 2
    assert ScheduledJobRegistry("notifications", connection=redis_client).get_job_ids() == [
        f"outbox-{ids[0]}"
    ]
    assert redis_client.lrange("rq:queue:notifications", 0, -1) == [f"outbox-{ids[1]}".encode()]
