"""The public intake site: call-back requests and messages, sealed in the request.

This process holds team public keys only. It cannot import anything that
unwraps a private key or opens an envelope (import-linter contract).
"""

from __future__ import annotations

import redis
from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup

from intake_web.admission import new_challenge
from intake_web.backlog import Backlog
from intake_web.errors import register_error_pages
from intake_web.forms import MESSAGE_MAX
from intake_web.headers import apply_security_headers
from intake_web.i18n import LANGUAGE_NAMES, LANGUAGES, select_locale, text_direction
from intake_web.phone_words import phone_hint
from intake_web.proof_of_work import Difficulty
from intake_web.state import IntakeState
from intake_web.team_facts import TeamFactsCache
from intake_web.teams import current_team_slug
from utvag.config import Config, load_config
from utvag.server_secrets import intake_secrets
from utvag.store.db import make_engine, make_session_factory
from utvag.store.redis_conn import connect_redis
from web_common.forwarded import TrustedProxies


def create_app(config: Config | None = None, *, redis_client: redis.Redis | None = None) -> Flask:
    config = config or load_config()
    secrets = intake_secrets(config.data_dir)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.session_key,
        TESTING=config.testing,
        # The CSRF token's cookie: a session cookie, only set on form pages.
        SESSION_COOKIE_NAME="utvag_form",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=config.public_is_https,
        WTF_CSRF_TIME_LIMIT=4 * 60 * 60,
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        BABEL_TRANSLATION_DIRECTORIES="translations",
        BABEL_DEFAULT_LOCALE="sv",
    )
    if config.public_proxy_hops:
        # Only for the rate limits: hashed in memory, never kept.
        app.wsgi_app = TrustedProxies(app.wsgi_app, config.public_proxy_hops)  # type: ignore[method-assign]
    engine = make_engine(config.database_url)
    app.extensions["utvag"] = IntakeState(
        config=config,
        engine=engine,
        session_factory=make_session_factory(engine),
        redis=redis_client if redis_client is not None else connect_redis(config),
        secrets=secrets,
        difficulty=Difficulty(),
        team_facts=TeamFactsCache(),
        backlog=Backlog(),
    )
    Babel(app, locale_selector=select_locale)

    from intake_web.views import forms, neutral_line, pages, receipt, telephony, telephony_reports

    app.register_blueprint(pages.bp)
    app.register_blueprint(forms.bp)
    app.register_blueprint(receipt.bp)
    app.register_blueprint(telephony.bp)
    app.register_blueprint(telephony_reports.bp)
    app.register_blueprint(neutral_line.bp)
    # Every POST needs its form's token before any view runs (refused_token
    # answers a refusal); Twilio's webhooks carry its signature instead.
    csrf = CSRFProtect(app)
    for twilio_blueprint in (telephony.bp, telephony_reports.bp, neutral_line.bp):
        csrf.exempt(twilio_blueprint)
    app.after_request(apply_security_headers)
    app.context_processor(_template_globals)
    # A global, not a context variable: the form macros are imported
    # without the template's context.
    app.jinja_env.globals["new_challenge"] = new_challenge
    app.jinja_env.globals["ltr"] = left_to_right
    app.jinja_env.globals["phone_hint"] = phone_hint
    register_error_pages(app)
    return app


def _template_globals() -> dict[str, object]:
    return {
        "languages": LANGUAGES,
        "language_names": LANGUAGE_NAMES,
        "text_direction": text_direction,
        "message_max": MESSAGE_MAX,
        # The team in the page's path, kept in its links (None: the home team).
        "team_slug": current_team_slug(),
    }


def left_to_right(text: str) -> Markup:
    """A number kept in its own order inside any paragraph: "114 14" must not
    turn into "14 114" in Arabic. ``<bdi dir="ltr">`` isolates it."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(text)
