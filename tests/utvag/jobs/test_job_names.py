"""Jobs waiting in Redis across an upgrade still run.

RQ stores a job's function as a dotted path and imports it when the job
runs. Jobs are queued as ``utvag.jobs.<kind>``, a path no move of a job's
module changes; a job the release before queued under its module's path
(``utvag.jobs.notify_new_contact``, ``utvag.hotline_jobs.forget_call``)
still finds its function, so an upgrade with jobs waiting loses none.
"""

from __future__ import annotations

import pytest
import redis
from flask.testing import FlaskClient
from rq import Queue
from rq.utils import import_attribute
from sqlalchemy import select
from support import TeamFixture, post_form
from twilio_fake import AUTH_TOKEN, FakeTwilio, with_hotline

import worker
from crypto.job_secrets import lock_job_value
from utvag.config import Config
from utvag.jobs import HOTLINE_QUEUE, JOB_FUNCTIONS, NOTIFICATIONS_QUEUE, job_path
from utvag.jobs.context import AppContext
from utvag.repo import outbox
from utvag.store.db import transaction
from utvag.store.models import Contact, OutboxEntry

pytestmark = pytest.mark.usefixtures("during_office_hours")

# What the release before the layout of issue 23 stored in Redis for each
# kind: its function's module and name, as RQ derives them.
PATHS_BEFORE_THE_MOVE = {
    "notify_new_contact": "utvag.jobs.notify_new_contact",
    "notify_contact_due": "utvag.jobs.notify_contact_due",
    "notify_follow_up": "utvag.jobs.notify_follow_up",
    "call_again_requested": "utvag.jobs.call_again_requested",
    "call_from_chosen": "utvag.jobs.call_from_chosen",
    "forget_call": "utvag.hotline_jobs.forget_call",
    "store_voice_message": "utvag.hotline_jobs.store_voice_message",
    "log_switchboard_outcome": "utvag.hotline_jobs.log_switchboard_outcome",
}
# Kinds added since that release: nothing of theirs was ever stored under
# another path.
ADDED_SINCE = {"send_staff_notice"}
CALL_SID = "CA" + "7" * 32


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    return with_hotline(config, twilio_api)


def test_every_job_kind_is_queued_under_a_path_that_finds_its_function() -> None:
    assert JOB_FUNCTIONS
    for name, function in JOB_FUNCTIONS.items():
        assert job_path(name) == f"utvag.jobs.{name}"
        assert import_attribute(job_path(name)) is function


def test_every_path_the_release_before_stored_still_finds_its_function() -> None:
    assert set(PATHS_BEFORE_THE_MOVE) == set(JOB_FUNCTIONS) - ADDED_SINCE
    for name, path in PATHS_BEFORE_THE_MOVE.items():
        assert import_attribute(path) is JOB_FUNCTIONS[name], path


def test_a_submission_queues_its_notice_under_the_stable_path(
    client: FlaskClient, team: TeamFixture, redis_client: redis.Redis
) -> None:
    post_form(client, "/en/message", {"message": "hello"})
    [job] = Queue(NOTIFICATIONS_QUEUE, connection=redis_client).jobs
    assert job.func_name == "utvag.jobs.notify_new_contact"


def _entry(session_factory, entry_id: int) -> OutboxEntry:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        found = session.get(OutboxEntry, entry_id)
        assert found is not None
        return found


def test_a_notice_queued_by_the_release_before_runs(
    client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    redis_client: redis.Redis,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/en/message", {"message": "hello"})
    queue = Queue(NOTIFICATIONS_QUEUE, connection=redis_client)
    [job] = queue.jobs
    queue.empty()
    queue.enqueue_call(PATHS_BEFORE_THE_MOVE["notify_new_contact"], args=job.args, job_id=job.id)

    worker.build_worker(app_context).work(burst=True)

    assert _entry(session_factory, job.args[0]).completed_at is not None
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
    assert contact.notified_at is not None


def test_a_hotline_job_queued_by_the_release_before_runs(
    team: TeamFixture,
    app_context: AppContext,
    redis_client: redis.Redis,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    twilio_api.add_call(CALL_SID)
    locked = lock_job_value(AUTH_TOKEN, CALL_SID)
    with transaction(session_factory) as session:
        entry_id = outbox.add_job(session, "forget_call", locked).id
    Queue(HOTLINE_QUEUE, connection=redis_client).enqueue_call(
        PATHS_BEFORE_THE_MOVE["forget_call"], args=(entry_id, locked), job_id=f"outbox-{entry_id}"
    )

    worker.build_worker(app_context).work(burst=True)

    assert _entry(session_factory, entry_id).completed_at is not None
    assert CALL_SID not in twilio_api.calls  # deleted at Twilio by the old-named job
