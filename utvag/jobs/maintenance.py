"""The worker's schedule: what it does by itself, how often, and proof that it did.

| task                 | every      | what                                                  |
| -------------------- | ---------- | ----------------------------------------------------- |
| ``staff_sessions``   | minute     | delete staff sessions past their idle or total limit,  |
|                      |            | and with each the team keys sealed in it               |
| ``retention``        | hour       | delete sealed content past the team's retention period |
| ``throttle_windows`` | hour       | delete per-network counts older than a day, and spent  |
|                      |            | proofs of work that could no longer be presented       |
| ``unverified_cap``   | minute     | evict the oldest no-effort entries of a full           |
|                      |            | unverified list (``utvag.repo.eviction``)                   |
| ``staff_notices``    | minute     | at each team's notice times, if something waits, queue |
|                      |            | one content-free SMS per member who asked; forget old  |
|                      |            | ones (``utvag.repo.staff_notices``); nothing without   |
|                      |            | Twilio                                                 |

Each run is its own transaction, so one failing task does not hold up the
others. Each outcome is written to ``maintenance_runs``: a task that has not
succeeded within twice its interval (plus a grace period) is *overdue*, which
the console's ``/healthz/worker`` answers with 503 and its pages show to leads
and admins. A failure is logged at ERROR with the exception's type only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from utvag.clock import utcnow
from utvag.config import Config
from utvag.repo import staff_notices
from utvag.repo.eviction import evict_oldest
from utvag.repo.hotline import purge_answered_calls
from utvag.repo.proofs import purge_spent
from utvag.repo.retention import purge_expired
from utvag.repo.sessions import purge_expired_sessions
from utvag.repo.throttle import purge_old_windows
from utvag.store.db import transaction
from utvag.store.models import MaintenanceRun

log = logging.getLogger("utvag.jobs.maintenance")

# How late a task may be before it counts as overdue, beyond twice its interval.
GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class Task:
    name: str
    every: timedelta
    run: Callable[[Session, Config, datetime], int | None]

    def overdue_at(self, last_ok_at: datetime) -> datetime:
        return last_ok_at + 2 * self.every + GRACE


def _purge_sessions(session: Session, config: Config, now: datetime) -> int:
    return purge_expired_sessions(
        session,
        idle=timedelta(seconds=config.session_idle_seconds),
        lifetime=timedelta(seconds=config.session_max_seconds),
        now=now,
    )


def _purge_content(session: Session, _config: Config, now: datetime) -> int:
    return purge_expired(session, now)


def _purge_windows(session: Session, _config: Config, now: datetime) -> int:
    purge_old_windows(session, now)
    purge_answered_calls(session, now)
    return purge_spent(session, now)


def _evict_unverified(session: Session, _config: Config, now: datetime) -> int:
    return evict_oldest(session, now)


def _staff_notices(session: Session, config: Config, now: datetime) -> int:
    if config.twilio is None:
        return 0
    return staff_notices.start_due_rounds(session, now) + staff_notices.purge_old(session, now)


TASKS = (
    Task("staff_sessions", timedelta(minutes=1), _purge_sessions),
    Task("retention", timedelta(hours=1), _purge_content),
    Task("throttle_windows", timedelta(hours=1), _purge_windows),
    Task("unverified_cap", timedelta(minutes=1), _evict_unverified),
    Task("staff_notices", timedelta(minutes=1), _staff_notices),
)


@dataclass
class Schedule:
    """When each task last ran in this worker (started or not, ok or not)."""

    last_started: dict[str, datetime] = field(default_factory=dict)

    def due(self, task: Task, now: datetime) -> bool:
        last = self.last_started.get(task.name)
        return last is None or now - last >= task.every


def run_due_tasks(
    factory: sessionmaker[Session], config: Config, schedule: Schedule, now: datetime | None = None
) -> None:
    """Run every task whose time has come; never raises."""
    now = now or utcnow()
    for task in TASKS:
        if not schedule.due(task, now):
            continue
        schedule.last_started[task.name] = now
        try:
            with transaction(factory) as session:
                done = task.run(session, config, now)
                _record_success(session, task.name, now)
        except Exception as error:  # noqa: BLE001 - reported, retried next interval
            log.error(  # no traceback: it could quote a value
                "maintenance task %s failed (%s); it will be retried",
                task.name,
                type(error).__name__,
            )
            _record_failure(factory, task.name, now, type(error).__name__)
            continue
        if done:
            log.info("maintenance task %s: %s rows", task.name, done)


def _row(session: Session, name: str) -> MaintenanceRun:
    row = session.get(MaintenanceRun, name)
    if row is None:
        row = MaintenanceRun(task=name, failures_in_a_row=0)
        session.add(row)
    return row


def _record_success(session: Session, name: str, now: datetime) -> None:
    row = _row(session, name)
    row.last_ok_at = now
    row.failures_in_a_row = 0
    row.last_error = None


def _record_failure(
    factory: sessionmaker[Session], name: str, now: datetime, error_type: str
) -> None:
    try:
        with transaction(factory) as session:
            row = _row(session, name)
            row.last_failed_at = now
            row.failures_in_a_row += 1
            row.last_error = error_type[:80]
    except Exception as error:  # noqa: BLE001 - the database itself may be the fault
        log.error("could not record the failure of %s (%s)", name, type(error).__name__)


@dataclass(frozen=True)
class TaskHealth:
    name: str
    last_ok_at: datetime | None
    failures_in_a_row: int
    overdue: bool


@dataclass(frozen=True)
class WorkerHealth:
    # False until the worker has recorded any run at all.
    seen: bool
    tasks: list[TaskHealth]

    @property
    def overdue(self) -> list[TaskHealth]:
        return [task for task in self.tasks if task.overdue]


def health(session: Session, now: datetime | None = None) -> WorkerHealth:
    """Each task's state. A task is overdue when its last success is older than
    its allowance, when it has failed twice in a row without ever succeeding,
    or when the worker has never recorded anything."""
    now = now or utcnow()
    rows = {row.task: row for row in session.scalars(select(MaintenanceRun))}
    tasks = []
    for task in TASKS:
        row = rows.get(task.name)
        last_ok = row.last_ok_at if row else None
        failures = row.failures_in_a_row if row else 0
        if last_ok is not None:
            overdue = now >= task.overdue_at(last_ok)
        else:
            overdue = failures >= 2 or not rows
        tasks.append(TaskHealth(task.name, last_ok, failures, overdue))
    return WorkerHealth(seen=bool(rows), tasks=tasks)
