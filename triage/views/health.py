"""Health for monitoring: the console itself, and the worker's schedule."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from triage.roles import public
from triage.state import state
from utvag.jobs import maintenance
from utvag.store.db import transaction

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz() -> ResponseReturnValue:
    with state().engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/healthz/worker")
@public
def worker_health() -> ResponseReturnValue:
    """503 while any scheduled task (session expiry, retention purge) is
    overdue or failing, so monitoring notices a worker that stopped or a purge
    that fails every time. Task names and times only."""
    with transaction(state().session_factory) as db:
        report = maintenance.health(db)
    body = {
        "status": "overdue" if report.overdue else "ok",
        "tasks": {
            task.name: {
                "last_ok_at": task.last_ok_at.isoformat() if task.last_ok_at else None,
                "failures_in_a_row": task.failures_in_a_row,
                "overdue": task.overdue,
            }
            for task in report.tasks
        },
    }
    return body, 503 if report.overdue else 200
