"""Liveness for monitoring."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from triage.roles import public
from triage.state import state

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz() -> ResponseReturnValue:
    with state().engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}
