"""Information pages: no forms, so no cookie is ever set here."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from intake_web.i18n import DEFAULT_LANGUAGE, require_known_language
from intake_web.state import state
from intake_web.teams import public_info

bp = Blueprint("pages", __name__)

bp.url_value_preprocessor(require_known_language)


@bp.route("/")
def root() -> ResponseReturnValue:
    return redirect(url_for("pages.start", lang=DEFAULT_LANGUAGE))


@bp.route("/<lang>/")
def start(lang: str) -> ResponseReturnValue:
    return render_template("start.html", lang=lang, info=public_info(lang))


@bp.route("/<lang>/relatives")
def relatives(lang: str) -> ResponseReturnValue:
    return render_template("relatives.html", lang=lang)


@bp.route("/<lang>/privacy")
def privacy(lang: str) -> ResponseReturnValue:
    return render_template("privacy.html", lang=lang, info=public_info(lang))


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness for monitoring: the database answers. Redis being down is not
    an outage for intake (the outbox holds the work), so it is reported only."""
    from sqlalchemy import text

    app_state = state()
    with app_state.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    try:
        redis_ok = bool(app_state.redis.ping())
    except Exception:  # noqa: BLE001 - any Redis fault means "not reachable"
        redis_ok = False
    return {"status": "ok", "redis": "ok" if redis_ok else "unreachable"}
