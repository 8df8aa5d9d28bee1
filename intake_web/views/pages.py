"""Information pages: no forms, so no cookie is ever set here.

Each page also lives under a team's path (``/sv/<team>/``, README, "Several
programmes on one install"); without one it speaks for the home team, and
the start page offers the region's programmes when more than one is listed.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from intake_web.i18n import DEFAULT_LANGUAGE, require_known_language
from intake_web.state import state
from intake_web.teams import public_info, region_choice, resolve_team_in_path

bp = Blueprint("pages", __name__)

bp.url_value_preprocessor(require_known_language)
bp.url_value_preprocessor(resolve_team_in_path)


@bp.route("/")
def root() -> ResponseReturnValue:
    return redirect(url_for("pages.start", lang=DEFAULT_LANGUAGE))


# Without the trailing slash too: "/sv/no-such-team" is the unknown team's
# 404, not a redirect to it.
@bp.route("/<lang>/", defaults={"team": None})
@bp.route("/<lang>/<team>/", strict_slashes=False)
def start(lang: str, team: str | None) -> ResponseReturnValue:
    if team is None:
        region = region_choice()
        if region is not None:
            return render_template("region.html", lang=lang, region=region)
    return render_template("start.html", lang=lang, info=public_info(lang, team))


@bp.route("/<lang>/relatives", defaults={"team": None})
@bp.route("/<lang>/<team>/relatives")
def relatives(lang: str, team: str | None) -> ResponseReturnValue:
    return render_template("relatives.html", lang=lang)


@bp.route("/<lang>/privacy", defaults={"team": None})
@bp.route("/<lang>/<team>/privacy")
def privacy(lang: str, team: str | None) -> ResponseReturnValue:
    return render_template("privacy.html", lang=lang, info=public_info(lang, team))


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
