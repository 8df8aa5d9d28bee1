"""Logging in and out: password (by unwrapping the team key) and TOTP."""

from __future__ import annotations

import enum
import hmac
import time
from urllib.parse import urlsplit

import pyotp
from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from crypto.errors import CryptoError
from triage.keys.keyring import (
    add_pepper_if_missing,
    close_session,
    open_new_session,
    spend_one_unwrap,
    unwrap_member_secrets,
)
from triage.roles import public
from triage.state import state
from utvag.clock import utcnow
from utvag.repo import audit, throttle
from utvag.repo.throttle import Purpose
from utvag.store.db import transaction
from utvag.store.models import StaffMember
from web_common.throttle import client_buckets

bp = Blueprint("auth", __name__)

TOTP_PERIOD = 30
# One step either side tolerates a phone clock that is a little off.
TOTP_DRIFT_STEPS = 1


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    otp = StringField(
        _l("Code from your authenticator app"), validators=[DataRequired(), Length(max=10)]
    )


def accept_totp(member: StaffMember, secret: str, code: str, now: float | None = None) -> bool:
    """True if ``code`` is valid now and newer than the last accepted one.

    Remembering the last accepted step means a code seen over a shoulder, or
    replayed from a captured request, is never accepted a second time.
    """
    code = code.strip().replace(" ", "")
    # ASCII digits only: str.isdigit() also takes other scripts' digits,
    # which hmac.compare_digest refuses with an exception.
    if not (code.isascii() and code.isdigit()):
        return False
    totp = pyotp.TOTP(secret, interval=TOTP_PERIOD)
    current_step = int((now if now is not None else time.time()) // TOTP_PERIOD)
    for step in range(current_step - TOTP_DRIFT_STEPS, current_step + TOTP_DRIFT_STEPS + 1):
        if member.last_totp_step is not None and step <= member.last_totp_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            member.last_totp_step = step
            return True
    return False


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and "\\" not in target and not urlsplit(target).netloc:
        return target
    return url_for("queue.queue")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    if g.get("staff") is not None:
        return redirect(url_for("queue.queue"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        outcome = _try_login(
            form.username.data or "", form.password.data or "", form.otp.data or ""
        )
        if isinstance(outcome, str):
            session.clear()
            session["sid"] = outcome
            return redirect(_safe_next(request.args.get("next")))
        error = outcome
    elif form.is_submitted():
        error = LoginRefusal.CREDENTIALS
    form.password.data = ""
    form.otp.data = ""
    message = None
    if error is LoginRefusal.NETWORK:
        message = gettext("Too many failed logins from your network. Wait a while and try again.")
    elif error is not None:
        message = gettext(
            "The username, password or code is wrong, or the account is locked for a while"
            " after too many attempts."
        )
    status = 429 if error is LoginRefusal.NETWORK else (401 if error else 200)
    return render_template("login.html", form=form, error=message), status


class LoginRefusal(enum.Enum):
    CREDENTIALS = "credentials"
    NETWORK = "network"


def _try_login(username: str, password: str, otp: str) -> str | LoginRefusal:
    """The session token on success; a refusal that never says which factor failed."""
    console = state()
    now = utcnow()
    bucket = client_buckets()
    with transaction(console.session_factory) as db:
        if throttle.over_limit(db, Purpose.STAFF_LOGIN, bucket, now):
            audit.record(db, "login_refused", details={"reason": "network"})
            return LoginRefusal.NETWORK
        member = db.scalar(
            select(StaffMember).where(StaffMember.username == username.strip()).with_for_update()
        )
        opened = None
        if member is None or not member.is_active or throttle.account_locked(member, now):
            # Spend the same time as a real check so timing does not reveal
            # which usernames exist or are locked.
            spend_one_unwrap(console.config.kdf_cost)
        else:
            try:
                opened = unwrap_member_secrets(db, member, password, console.keys)
            except CryptoError:
                opened = None
        if member is None or opened is None or not accept_totp(member, opened.totp_secret, otp):
            throttle.count_one(db, Purpose.STAFF_LOGIN, bucket, now)
            reason = "credentials"
            if member is not None:
                if throttle.account_locked(member, now):
                    reason = "locked"
                else:
                    throttle.record_account_failure(member, now)
                    if throttle.account_locked(member, now):
                        audit.record(
                            db,
                            "account_locked",
                            team_id=member.team_id,
                            actor_id=member.id,
                            actor_name=member.username,
                        )
            audit.record(
                db,
                "login_failed",
                team_id=member.team_id if member else None,
                actor_id=member.id if member else None,
                actor_name=member.username if member else None,
                details={"reason": reason},
            )
            return LoginRefusal.CREDENTIALS
        throttle.record_account_success(member)
        add_pepper_if_missing(
            member,
            opened.member_private_key,
            password,
            console.config.kdf_cost,
            console.keys.wrap_pepper,
        )
        throttle.purge_old_windows(db, now)
        token = open_new_session(db, member, opened.team_private_keys)
        audit.record(
            db, "login", team_id=member.team_id, actor_id=member.id, actor_name=member.username
        )
        return token


@bp.route("/logout", methods=["POST"])
@public
def logout() -> ResponseReturnValue:
    # CSRFProtect has already checked the token of this POST.
    token = session.get("sid")
    if token:
        current = g.get("staff")
        with transaction(state().session_factory) as db:
            close_session(db, token)
            if current is not None:
                audit.record(
                    db,
                    "logout",
                    team_id=current.member.team_id,
                    actor_id=current.member.id,
                    actor_name=current.member.username,
                )
    session.clear()
    flash(gettext("You are logged out, and your session's keys are deleted."))
    return redirect(url_for("auth.login"))
