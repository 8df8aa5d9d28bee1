"""What a member does for themselves: enrol, change password, recover the team."""

from __future__ import annotations

import pyotp
import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete

from crypto.errors import WrongSecretError
from triage import current
from triage.enrolment import complete, open_invitation, start_totp
from triage.keyring import unwrap_member_key
from triage.labels import call_error_text
from triage.recovery import RecoveryRefused, recover_admin
from triage.roles import public, requires
from triage.state import state
from utvag.db import transaction
from utvag.models import Role, StaffSession, Team
from utvag.repo import audit
from utvag.repo.staff import rewrap_member_key
from utvag.repo.teams import TOTP_ISSUER, TeamError, totp_uri
from utvag.throttle import Purpose
from utvag.web_throttle import count as count_failure
from utvag.web_throttle import over_limit

bp = Blueprint("self_service", __name__)

TOO_MANY = _l("Too many failed attempts from your network. Wait a while and try again.")


def totp_qr(uri: str) -> Markup:
    """An inline SVG QR code of the otpauth URI: no image request, no script."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff")
    return Markup(svg)  # noqa: S704 - segno's own SVG, no user input


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
        opened = open_invitation(db, username, code)
        if opened is not None:
            enrolment, keys = opened
            team = db.get(Team, enrolment.team_id)
            if team is None:
                abort(404)
            secret = start_totp(enrolment)
            step_two = {
                "step": 2,
                "username": enrolment.username,
                "code": code,
                "secret": secret,
                "qr": totp_qr(totp_uri_for(enrolment.username, team, secret)),
            }
            if "password" not in form:
                return render_template("enrol.html", **step_two)
            try:
                if form.get("password", "") != form.get("password2", ""):
                    raise TeamError("the passwords differ")
                member = complete(
                    db,
                    team,
                    enrolment,
                    keys,
                    password=form.get("password", ""),
                    totp_code=form.get("otp", ""),
                    cost=console.config.kdf_cost,
                )
            except TeamError as error:
                return render_template("enrol.html", error=call_error_text(error), **step_two), 400
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


def totp_uri_for(username: str, team: Team, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=f"{username}@{team.slug}", issuer_name=TOTP_ISSUER
    )


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Role.COORDINATOR)
def change_password() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("password.html")
    form = request.form
    error = None
    with transaction(state().session_factory) as db:
        member = db.merge(current.member())
        try:
            if form.get("new_password", "") != form.get("new_password2", ""):
                raise TeamError("the passwords differ")
            private_key = unwrap_member_key(member, form.get("password", ""))
            rewrap_member_key(
                member, private_key, form.get("new_password", ""), state().config.kdf_cost
            )
            # Other sessions of this member end; this one stays.
            db.execute(
                delete(StaffSession).where(
                    StaffSession.staff_member_id == member.id,
                    StaffSession.id != current.staff().record.id,
                )
            )
            current.record(db, "password_changed")
        except WrongSecretError:
            error = gettext("The current password is wrong.")
            current.record(db, "password_change_failed")
        except TeamError as failure:
            error = call_error_text(failure)
    if error:
        return render_template("password.html", error=error), 400
    flash(gettext("Your password is changed."))
    return redirect(url_for("queue.queue"))


@bp.route("/recover", methods=["GET", "POST"])
@public
def recover() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("recover.html")
    if over_limit(state().session_factory, Purpose.STAFF_LOGIN):
        return render_template("recover.html", error=TOO_MANY), 429
    form = request.form
    if form.get("password", "") != form.get("password2", ""):
        error = call_error_text(TeamError("the passwords differ"))
        return render_template("recover.html", error=error), 400
    refused = False
    with transaction(state().session_factory) as db:
        try:
            member, team = recover_admin(
                db,
                form.get("username", ""),
                form.get("recovery_code", ""),
                form.get("password", ""),
                state().config.kdf_cost,
            )
        except RecoveryRefused:
            audit.record(db, "recovery_failed")
            refused = True
        except TeamError as error:
            return render_template("recover.html", error=call_error_text(error)), 400
        else:
            audit.record(
                db, "recovery_used", team_id=team.id, actor_id=member.id, actor_name=member.username
            )
            uri = totp_uri(member, team)
            username = member.username
    if refused:
        count_failure(state().session_factory, Purpose.STAFF_LOGIN)
        message = gettext("The username or recovery code is wrong.")
        return render_template("recover.html", error=message), 401
    return render_template("recovered.html", username=username, uri=uri, qr=totp_qr(uri))
