"""The worker deletes what has expired by itself, on a schedule, and says so
loudly when it cannot."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text
from support import TeamFixture, log_in, sealed_submission

import worker
from utvag.clock import utcnow
from utvag.jobs import maintenance
from utvag.jobs.context import AppContext
from utvag.repo.contacts import create_contact
from utvag.store.db import transaction
from utvag.store.models import Contact, ContactStatus, MaintenanceRun, StaffSession, Team


def _session_row(
    session_factory, team: TeamFixture, token: str, created: datetime, seen: datetime
) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        session.add(
            StaffSession(
                id=token.ljust(64, "0"),
                staff_member_id=team.created.admin.id,
                created_at=created,
                last_seen_at=seen,
                sealed_team_keys=b"keys sealed under a cookie's token",
            )
        )


def _closed_contact(session_factory, team: TeamFixture, closed_days_ago: int) -> int:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session,
            session.get(Team, team.created.team.id),
            sealed_submission(receipt_digest="d" * 64),
            now=utcnow() - timedelta(days=400),
        )
        contact.status = ContactStatus.CLOSED.value
        contact.closed_at = utcnow() - timedelta(days=closed_days_ago)
        return contact.id


def _run_worker_loop_until(ctx: AppContext, done, seconds: float = 10) -> None:  # type: ignore[no-untyped-def]
    """Run the worker's own maintenance thread, with no request arriving anywhere."""
    stop = threading.Event()
    thread = threading.Thread(target=worker.relay_forever, args=(ctx, stop), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + seconds
        while not done():
            assert time.monotonic() < deadline, "the worker did not do its scheduled work"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=15)


def test_the_worker_deletes_expired_sessions_and_purges_content_by_itself(
    app_context: AppContext, team: TeamFixture
) -> None:
    factory = app_context.session_factory
    now = utcnow()
    _session_row(
        factory, team, "idle", created=now - timedelta(hours=1), seen=now - timedelta(minutes=31)
    )
    _session_row(factory, team, "old", created=now - timedelta(hours=10, minutes=1), seen=now)
    _session_row(
        factory, team, "live", created=now - timedelta(hours=2), seen=now - timedelta(minutes=5)
    )
    expired_contact = _closed_contact(factory, team, closed_days_ago=181)

    def swept() -> bool:
        with factory() as session:
            left = set(session.scalars(select(StaffSession.id)))
            purged = session.get(Contact, expired_contact).purged_at is not None
        return left == {"live".ljust(64, "0")} and purged

    _run_worker_loop_until(app_context, swept)
    with factory() as session:
        runs = {row.task: row for row in session.scalars(select(MaintenanceRun))}
    assert {name for name, row in runs.items() if row.last_ok_at} == {
        t.name for t in maintenance.TASKS
    }


def test_sessions_are_swept_every_minute_and_the_purge_every_hour() -> None:
    every = {task.name: task.every for task in maintenance.TASKS}
    assert every["staff_sessions"] == timedelta(minutes=1)
    assert every["retention"] == timedelta(hours=1)
    schedule = maintenance.Schedule()
    start = utcnow()
    sessions = next(t for t in maintenance.TASKS if t.name == "staff_sessions")
    assert schedule.due(sessions, start)
    schedule.last_started[sessions.name] = start
    assert not schedule.due(sessions, start + timedelta(seconds=59))
    assert schedule.due(sessions, start + timedelta(minutes=1))


@pytest.fixture
def broken_retention(engine, database_url: str):  # type: ignore[no-untyped-def]
    """A real fault: the table the purge deletes follow-ups from is gone."""
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE contact_messages RENAME TO contact_messages_away"))
    yield
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE contact_messages_away RENAME TO contact_messages"))


@pytest.mark.usefixtures("broken_retention")
def test_a_purge_that_keeps_failing_is_shown_to_monitoring_and_to_the_lead(
    app_context: AppContext,
    team: TeamFixture,
    console_client: FlaskClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    factory = app_context.session_factory
    _closed_contact(factory, team, closed_days_ago=181)
    start = utcnow()
    schedule = maintenance.Schedule()
    maintenance.run_due_tasks(factory, app_context.config, schedule, start)
    maintenance.run_due_tasks(factory, app_context.config, schedule, start + timedelta(hours=1))

    assert any(
        record.levelname == "ERROR" and "retention" in record.getMessage()
        for record in caplog.records
    )
    health = console_client.get("/healthz/worker")
    assert health.status_code == 503
    assert health.json["tasks"]["retention"]["failures_in_a_row"] == 2
    assert health.json["tasks"]["staff_sessions"]["overdue"] is False

    assert log_in(console_client, team).status_code == 302
    # Every page carries the warning (this one does not read contacts, whose
    # follow-up table this fault removed).
    page = console_client.get("/account/password").get_data(as_text=True)
    assert 'role="alert"' in page
    assert "2 fel i rad" in page


def test_the_worker_health_is_ok_once_every_task_succeeded(
    app_context: AppContext, console_client: FlaskClient
) -> None:
    assert console_client.get("/healthz/worker").status_code == 503  # never ran
    maintenance.run_due_tasks(
        app_context.session_factory, app_context.config, maintenance.Schedule()
    )
    assert console_client.get("/healthz/worker").status_code == 200


def test_a_task_is_overdue_once_it_has_not_succeeded_for_twice_its_interval(
    app_context: AppContext,
) -> None:
    factory = app_context.session_factory
    start = utcnow()
    maintenance.run_due_tasks(factory, app_context.config, maintenance.Schedule(), start)
    with factory() as session:

        def overdue_after(delay: timedelta) -> set[str]:
            return {task.name for task in maintenance.health(session, start + delay).overdue}

        assert overdue_after(timedelta(minutes=6)) == set()
        assert overdue_after(timedelta(minutes=8)) == {
            "staff_sessions",
            "unverified_cap",
            "staff_notices",
        }
        assert overdue_after(timedelta(hours=2, minutes=6)) == {
            "staff_sessions",
            "retention",
            "throttle_windows",
            "unverified_cap",
            "staff_notices",
        }


def test_a_task_not_yet_due_does_not_hold_up_the_ones_after_it(
    app_context: AppContext, team: TeamFixture
) -> None:
    factory = app_context.session_factory
    start = utcnow()
    schedule = maintenance.Schedule()
    maintenance.run_due_tasks(factory, app_context.config, schedule, start)
    assert schedule.last_started == {task.name: start for task in maintenance.TASKS}
    expired = _closed_contact(factory, team, closed_days_ago=181)
    # Thirty seconds on the session sweep is not due; an hour on, retention is.
    schedule.last_started["staff_sessions"] = start + timedelta(minutes=59, seconds=30)
    maintenance.run_due_tasks(factory, app_context.config, schedule, start + timedelta(hours=1))
    with factory() as session:
        assert session.get(Contact, expired).purged_at is not None


@pytest.mark.usefixtures("broken_retention")
def test_a_failing_task_does_not_hold_up_the_ones_after_it_and_says_what_failed(
    app_context: AppContext, team: TeamFixture
) -> None:
    factory = app_context.session_factory
    _closed_contact(factory, team, closed_days_ago=181)
    start = utcnow()
    maintenance.run_due_tasks(factory, app_context.config, maintenance.Schedule(), start)
    with factory() as session:
        runs = {row.task: row for row in session.scalars(select(MaintenanceRun))}
    assert runs["retention"].last_ok_at is None
    assert runs["retention"].last_failed_at == start
    assert runs["retention"].failures_in_a_row == 1
    assert runs["retention"].last_error in {"OperationalError", "ProgrammingError"}
    assert runs["throttle_windows"].last_ok_at == start  # after it, still ran


def test_a_success_after_failures_clears_them(app_context: AppContext, engine, team) -> None:  # type: ignore[no-untyped-def]
    factory = app_context.session_factory
    _closed_contact(factory, team, closed_days_ago=181)
    start = utcnow()
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE contact_messages RENAME TO contact_messages_away"))
    maintenance.run_due_tasks(factory, app_context.config, maintenance.Schedule(), start)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE contact_messages_away RENAME TO contact_messages"))
    later = start + timedelta(hours=1)
    maintenance.run_due_tasks(factory, app_context.config, maintenance.Schedule(), later)
    with factory() as session:
        row = session.get(MaintenanceRun, "retention")
        assert row is not None
        assert (row.last_ok_at, row.failures_in_a_row, row.last_error) == (later, 0, None)
        health = maintenance.health(session, later)
    assert health.overdue == []
    assert {task.name: task.last_ok_at for task in health.tasks}["retention"] == later


def test_the_worker_health_names_when_each_task_last_succeeded(
    app_context: AppContext, console_client: FlaskClient
) -> None:
    start = utcnow()
    maintenance.run_due_tasks(
        app_context.session_factory, app_context.config, maintenance.Schedule(), start
    )
    body = console_client.get("/healthz/worker").json
    assert body["tasks"]["retention"]["last_ok_at"] == start.isoformat()


def test_the_session_sweep_deletes_by_the_time_given_and_says_how_many(
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    from utvag.repo.sessions import purge_expired_sessions

    later = utcnow() + timedelta(days=3)
    _session_row(session_factory, team, "a", created=later - timedelta(hours=2), seen=later)
    _session_row(session_factory, team, "b", created=utcnow(), seen=utcnow())
    _session_row(session_factory, team, "c", created=utcnow(), seen=utcnow())
    with transaction(session_factory) as session:
        swept = purge_expired_sessions(
            session, idle=timedelta(minutes=30), lifetime=timedelta(hours=10), now=later
        )
    assert swept == 2
    with session_factory() as session:
        assert list(session.scalars(select(StaffSession.id))) == ["a".ljust(64, "0")]


def test_a_task_that_has_not_run_yet_counts_no_failures(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        session.add(MaintenanceRun(task=maintenance.TASKS[0].name, last_ok_at=utcnow()))
    with session_factory() as session:
        state = maintenance.health(session)
    assert [task.failures_in_a_row for task in state.tasks] == [0] * len(maintenance.TASKS)


def test_the_hourly_sweep_forgets_which_forwarded_calls_were_taken_after_a_day(
    app_context: AppContext,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.store.models import AnsweredCall

    now = utcnow()
    with transaction(session_factory) as session:
        session.add(
            AnsweredCall(call_digest="old".ljust(64, "0"), answered_at=now - timedelta(days=2))
        )
        session.add(AnsweredCall(call_digest="new".ljust(64, "0"), answered_at=now))

    maintenance.run_due_tasks(
        app_context.session_factory, app_context.config, maintenance.Schedule(), now
    )

    with session_factory() as session:
        assert list(session.scalars(select(AnsweredCall.call_digest))) == ["new".ljust(64, "0")]
