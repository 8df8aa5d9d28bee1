"""The staff console: the only process that opens sealed contacts.

Meant to be reachable only on the municipality's internal network.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import redis
from babel.dates import get_day_names, get_month_names
from flask import Flask, Response, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect

from triage import refused_token
from triage.errors import register_error_pages
from triage.keys.keyring import resume_session
from triage.labels.cases import case_label_globals
from triage.labels.decisions import decision_label_globals
from triage.labels.followup import followup_label_globals
from triage.labels.funds import funds_label_globals
from triage.labels.names import account_globals, label_globals
from triage.labels.referrals import referral_label_globals
from triage.roles import has_role
from triage.state import ConsoleState, state
from utvag.config import Config, load_config
from utvag.console_keys import load_console_keys
from utvag.jobs import maintenance
from utvag.server_secrets import console_session_key
from utvag.store.db import make_engine, make_session_factory, transaction
from utvag.store.models import Role, Team
from utvag.store.redis_conn import connect_redis
from web_common.forwarded import TrustedProxies
from web_common.headers import CONSOLE_CONTENT_SECURITY_POLICY, set_strict_headers

CONSOLE_LOCALE = "sv"


def _is_local_host(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, ``Secure`` whenever the console is not on localhost."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return not _is_local_host(request.host)


def create_app(config: Config | None = None, *, redis_client: redis.Redis | None = None) -> Flask:
    config = config or load_config()
    # Refuses to start without the wrapping pepper (never makes one: see
    # utvag.console_keys), before anything else is set up.
    console_keys = load_console_keys(config.data_dir)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=console_session_key(config.data_dir),
        TESTING=config.testing,
        SESSION_COOKIE_NAME="utvag_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=256 * 1024,
        BABEL_TRANSLATION_DIRECTORIES="translations",
        BABEL_DEFAULT_LOCALE=CONSOLE_LOCALE,
    )
    app.session_interface = ConsoleSessionInterface()
    if config.console_proxy_hops:
        app.wsgi_app = TrustedProxies(app.wsgi_app, config.console_proxy_hops)  # type: ignore[method-assign]
    engine = make_engine(config.database_url)
    app.extensions["utvag"] = ConsoleState(
        config=config,
        engine=engine,
        session_factory=make_session_factory(engine),
        keys=console_keys,
    )
    # Only for the queue counter the worker keeps; the console works without it.
    app.extensions["utvag.redis"] = (
        redis_client if redis_client is not None else connect_redis(config)
    )
    CSRFProtect(app)
    Babel(app, locale_selector=lambda: CONSOLE_LOCALE)

    from triage.views import (
        accounts,
        audit,
        auth,
        call_from,
        case_decisions,
        case_followup,
        case_funds,
        case_investigation,
        cases,
        contacts,
        followup,
        handover,
        health,
        notices,
        public_page,
        queue,
        recorded,
        referrals_out,
        reports,
        retention,
        self_service,
        settings,
        switchboard,
        team_keys,
        voice,
    )

    for blueprint in (
        auth.bp,
        self_service.bp,
        accounts.bp,
        team_keys.bp,
        audit.bp,
        queue.bp,
        recorded.bp,
        contacts.bp,
        call_from.bp,
        voice.bp,
        switchboard.bp,
        notices.bp,
        cases.bp,
        case_decisions.bp,
        handover.bp,
        case_followup.bp,
        case_investigation.bp,
        case_funds.bp,
        referrals_out.bp,
        settings.bp,
        public_page.bp,
        reports.bp,
        followup.bp,
        retention.bp,
        health.bp,
    ):
        app.register_blueprint(blueprint)
    app.before_request(_load_staff_session)
    app.before_request(_check_worker)
    app.after_request(_headers)
    register_error_pages(app)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.context_processor(label_globals)
    app.context_processor(case_label_globals)
    app.context_processor(followup_label_globals)
    app.context_processor(decision_label_globals)
    app.context_processor(funds_label_globals)
    app.context_processor(referral_label_globals)
    app.context_processor(account_globals)
    app.add_template_filter(local_time)
    app.add_template_filter(iso_time)
    return app


def _load_staff_session() -> None:
    g.staff = None
    token = session.get("sid")
    if not token or request.endpoint == "static":
        return
    config = state().config
    with transaction(state().session_factory) as db:
        g.staff = resume_session(
            db,
            token,
            idle=timedelta(seconds=config.session_idle_seconds),
            lifetime=timedelta(seconds=config.session_max_seconds),
        )
    if g.staff is None:
        session.clear()


def _check_worker() -> None:
    """Leads and admins see, on every page, a scheduled task that stopped
    succeeding: an expired session not deleted or content kept past its
    retention is a broken promise someone must act on.

    Read before the view runs, in a transaction of its own: a template is
    often rendered inside the view's transaction, and SQLite lets one
    process hold only one at a time."""
    g.overdue_tasks = []
    g.team_zone = None
    current = g.get("staff")
    if current is None or not has_role(current.member.role, Role.LEAD):
        return
    with transaction(state().session_factory) as db:
        report = maintenance.health(db)
        team = db.get(Team, current.member.team_id)
        g.team_zone = ZoneInfo(team.timezone) if team else None
    g.overdue_tasks = report.overdue if report.seen else []


def _headers(response: Response) -> Response:
    set_strict_headers(
        response.headers, https=request.is_secure, policy=CONSOLE_CONTENT_SECURITY_POLICY
    )
    return response


def _csrf_failed(_error: CSRFError) -> ResponseReturnValue:
    """Nothing was saved; what was typed is shown to copy, never resent
    (triage/refused_token.py)."""
    if getattr(g, "staff", None) is None:
        _load_staff_session()  # the CSRF check runs before the session is loaded
    return refused_token.refused_page()


def iso_time(value: datetime, zone: ZoneInfo | None = None) -> str:
    """ISO 8601 with offset, in the team's zone (for ``<time datetime>``)."""
    return value.astimezone(zone).isoformat(timespec="seconds") if zone else value.isoformat()


# Babel's Swedish names, looked up once: formatting a time per row of a long
# list through babel's pattern engine cost more than the rest of the page.
_DAYS = dict(get_day_names("abbreviated", locale=CONSOLE_LOCALE).items())
_MONTHS = dict(get_month_names("abbreviated", locale=CONSOLE_LOCALE).items())


def local_time(value: datetime, zone: ZoneInfo | None = None) -> str:
    """How staff read a time: "mån 23 nov. 09:00", in the team's zone (the
    same text as babel's "EEE d MMM HH:mm" in Swedish)."""
    local = value.astimezone(zone) if zone else value
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month]} {local:%H:%M}"
