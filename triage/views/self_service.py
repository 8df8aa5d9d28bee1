"""What a member does for themselves: enrol, change password, recover the team."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crypto.errors import WrongSecretError
from triage import current
from triage.keys.enrolment import complete, open_invitation, start_totp
from triage.keys.keyring import unwrap_member_key
from triage.keys.recovery import RecoveryRefused, recover_admin
from triage.labels.names import problem_text
from triage.roles import public, requires
from triage.state import state
from utvag.clock import utcnow
from utvag.repo import audit, throttle
from utvag.repo.staff import rewrap_member_key
from utvag.repo.teams import TeamError, TeamProblem, totp_uri
from utvag.repo.throttle import Purpose
from utvag.store.db import transaction
from utvag.store.models import Role, StaffMember, StaffSession, Team
from web_common.throttle import client_buckets, over_limit
from web_common.throttle import count as count_failure

bp = Blueprint("self_service", __name__)

TOO_MANY = _l("Too many failed attempts from your network. Wait a while and try again.")


def totp_qr(uri: str) -> Markup:
    """An inline SVG QR code of the otpauth URI: no image request, no script."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff")
    # segno's own SVG of a URI we made: no user input reaches it.
    return Markup(svg)  # noqa: S704  # nosec B704


@bp.route("/enrol", methods=["GET", "POST"])
@public
def enrol() -> ResponseReturnValue:
    """Two steps: username and code (then the TOTP secret is shown), then
    password and a code from the app. Nothing is kept between the steps but
    the pending TOTP secret; the code travels back in the form."""
    if request.method == "GET":
        return render_template("enrol.html", step=1)
    if over_limit(state().session_factory, Purpose.STAFF_LOGIN):
        return render_template("enrol.html", step=1, error=TOO_MANY), 429
    form = request.form
    username, code = form.get("username", ""), form.get("code", "")
    console = state()
    with transaction(console.session_factory) as db:
        opened = open_invitation(db, username, code, console.config.kdf_cost, console.keys)
        if opened is not None:
            enrolment = opened.enrolment
            team = db.get(Team, enrolment.team_id)
            if team is None:
                abort(404)
            secret = start_totp(opened)
            step_two = {
                "step": 2,
                "username": enrolment.username,
                "code": code,
                "secret": secret,
                "qr": totp_qr(totp_uri(enrolment.username, team, secret)),
            }
            if "password" not in form:
                return render_template("enrol.html", **step_two)
            try:
                if form.get("password", "") != form.get("password2", ""):
                    raise TeamError(TeamProblem.PASSWORDS_DIFFER)
                member = complete(
                    db,
                    team,
                    opened,
                    password=form.get("password", ""),
                    totp_code=form.get("otp", ""),
                    cost=console.config.kdf_cost,
                    keys=console.keys,
                )
            except TeamError as error:
                return render_template("enrol.html", error=problem_text(error), **step_two), 400
            audit.record(
                db,
                "account_enrolled",
                team_id=member.team_id,
                actor_id=member.id,
                actor_name=member.username,
                details={"role": member.role},
            )
    if opened is None:
        count_failure(state().session_factory, Purpose.STAFF_LOGIN)
        message = gettext("The username or code is wrong, or it has expired.")
        return render_template("enrol.html", step=1, error=message), 401
    flash(gettext("Welcome. Log in with your new password and a code from the app."))
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Role.COORDINATOR)
def change_password() -> ResponseReturnValue:
    """Change one's own password. The current password is checked like a
    login: a wrong one counts against the network and the account, and the
    lock that follows ends every session of the member, this one included,
    so a stolen cookie cannot be used to guess the password."""
    if request.method == "GET":
        return render_template("password.html")
    if over_limit(state().session_factory, Purpose.STAFF_LOGIN):
        return render_template("password.html", error=TOO_MANY), 429
    form = request.form
    with transaction(state().session_factory) as db:
        member = db.scalar(
            select(StaffMember).where(StaffMember.id == current.member().id).with_for_update()
        )
        if member is None:
            abort(404)
        outcome = _change_password(db, member, form)
        if outcome is PasswordChange.LOCKED:
            _end_every_session(db, member)
    if outcome is PasswordChange.LOCKED:
        session.clear()
        flash(TOO_MANY_WRONG, "error")
        return redirect(url_for("auth.login"))
    if isinstance(outcome, str):
        return render_template("password.html", error=outcome), 400
    flash(gettext("Your password is changed."))
    return redirect(url_for("queue.queue"))


class PasswordChange(enum.Enum):
    CHANGED = "changed"
    LOCKED = "locked"


TOO_MANY_WRONG = _l(
    "The current password was wrong too many times. You are logged out and the account is"
    " locked for a while."
)


def _change_password(
    db: Session, member: StaffMember, form: Mapping[str, str]
) -> PasswordChange | str:
    """Check the current password the way a login does, then re-wrap the key.

    Returns the outcome, or the message to show with the form."""
    now = utcnow()
    if throttle.account_locked(member, now):
        return PasswordChange.LOCKED
    if form.get("new_password", "") != form.get("new_password2", ""):
        return problem_text(TeamError(TeamProblem.PASSWORDS_DIFFER))
    try:
        private_key = unwrap_member_key(member, form.get("password", ""), state().keys.wrap_pepper)
    except WrongSecretError:
        return _wrong_current_password(db, member, now)
    try:
        rewrap_member_key(
            member,
            private_key,
            form.get("new_password", ""),
            state().config.kdf_cost,
            state().keys.wrap_pepper,
        )
    except TeamError as failure:
        return problem_text(failure)
    throttle.record_account_success(member)
    # Other sessions of this member end; this one stays.
    db.execute(
        delete(StaffSession).where(
            StaffSession.staff_member_id == member.id,
            StaffSession.id != current.staff().record.id,
        )
    )
    current.record(db, "password_changed")
    return PasswordChange.CHANGED


def _wrong_current_password(
    db: Session, member: StaffMember, now: datetime
) -> PasswordChange | str:
    throttle.count_one(db, Purpose.STAFF_LOGIN, client_buckets(), now)
    throttle.record_account_failure(member, now)
    current.record(db, "password_change_failed")
    if throttle.account_locked(member, now):
        current.record(db, "account_locked")
        return PasswordChange.LOCKED
    return gettext("The current password is wrong.")


def _end_every_session(db: Session, member: StaffMember) -> None:
    db.execute(delete(StaffSession).where(StaffSession.staff_member_id == member.id))


@bp.route("/recover", methods=["GET", "POST"])
@public
def recover() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("recover.html")
    if over_limit(state().session_factory, Purpose.STAFF_LOGIN):
        return render_template("recover.html", error=TOO_MANY), 429
    form = request.form
    if form.get("password", "") != form.get("password2", ""):
        error = problem_text(TeamError(TeamProblem.PASSWORDS_DIFFER))
        return render_template("recover.html", error=error), 400
    refused = False
    with transaction(state().session_factory) as db:
        try:
            member, team, totp_secret = recover_admin(
                db,
                form.get("username", ""),
                form.get("recovery_code", ""),
                form.get("password", ""),
                state().config.kdf_cost,
                state().keys,
            )
        except RecoveryRefused:
            audit.record(db, "recovery_failed")
            refused = True
        except TeamError as error:
            return render_template("recover.html", error=problem_text(error)), 400
        else:
            audit.record(
                db, "recovery_used", team_id=team.id, actor_id=member.id, actor_name=member.username
            )
            uri = totp_uri(member.username, team, totp_secret)
            username = member.username
    if refused:
        count_failure(state().session_factory, Purpose.STAFF_LOGIN)
        message = gettext("The username or recovery code is wrong.")
        return render_template("recover.html", error=message), 401
    return render_template("recovered.html", username=username, uri=uri, qr=totp_qr(uri))
