"""Staff accounts and team keys, for admins: invite, change role, remove, rotate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session

from triage import current
from triage.confirm import ask, confirmed
from triage.keys.enrolment import invite, pending_invitations
from triage.keys.keyring import replace_session_keys
from triage.keys.reseal import reseal_team
from triage.labels.names import problem_text
from triage.roles import requires
from triage.state import state
from utvag.repo.staff import members_of, remove_member, rotate_team_key
from utvag.repo.teams import TeamError, active_team_key
from utvag.store.db import transaction
from utvag.store.models import Enrolment, Role, StaffMember

bp = Blueprint("accounts", __name__)


def _back() -> ResponseReturnValue:
    return redirect(url_for("accounts.members"))


def _team_member(db: Session, member_id: int) -> StaffMember:
    member = db.get(StaffMember, member_id)
    if member is None or member.team_id != current.member().team_id:
        abort(404)
    return member


def _other_active_admins(db: Session, member: StaffMember) -> int:
    return sum(
        1
        for other in members_of(db, member.team_id)
        if other.id != member.id and other.role == Role.ADMIN.value and other.is_active
    )


@bp.route("/admin/members")
@requires(Role.ADMIN)
def members() -> ResponseReturnValue:
    with state().session_factory() as db:
        team = current.team(db)
        return render_template(
            "members.html",
            team=team,
            members=members_of(db, team.id),
            invitations=pending_invitations(db, team.id),
            zone=current.zone(team),
            roles=list(Role),
        )


@bp.route("/admin/members", methods=["POST"])
@requires(Role.ADMIN)
def invite_member() -> ResponseReturnValue:
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        abort(400)
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            invitation = invite(
                db,
                team,
                username=request.form.get("username", ""),
                role=role,
                team_private_keys=current.staff().team_private_keys,
                invited_by=current.member(),
                cost=state().config.kdf_cost,
                keys=state().keys,
            )
            current.record(
                db,
                "account_invited",
                details={"username": invitation.enrolment.username, "role": role.value},
            )
            enrolment = invitation.enrolment
            return render_template(
                "invitation.html",
                enrolment=enrolment,
                code=invitation.code,
                zone=current.zone(team),
            )
    except TeamError as error:
        flash(problem_text(error), "error")
        return _back()


@bp.route("/admin/invitations/<int:enrolment_id>/cancel", methods=["POST"])
@requires(Role.ADMIN)
def cancel_invitation(enrolment_id: int) -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        enrolment = db.get(Enrolment, enrolment_id)
        if enrolment is None or enrolment.team_id != current.member().team_id:
            abort(404)
        db.delete(enrolment)
        current.record(db, "invitation_cancelled", details={"username": enrolment.username})
    flash(gettext("The invitation is cancelled; its code no longer works."))
    return _back()


@bp.route("/admin/members/<int:member_id>/role", methods=["POST"])
@requires(Role.ADMIN)
def change_role(member_id: int) -> ResponseReturnValue:
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        abort(400)
    with transaction(state().session_factory) as db:
        member = _team_member(db, member_id)
        if (
            member.role == Role.ADMIN.value
            and role is not Role.ADMIN
            and not _other_active_admins(db, member)
        ):
            flash(gettext("The team must keep at least one admin."), "error")
            return _back()
        previous = member.role
        member.role = role.value
        current.record(
            db,
            "role_changed",
            details={"member": member.id, "from": previous, "to": role.value},
        )
    return _back()


@bp.route("/admin/members/<int:member_id>/remove", methods=["POST"])
@requires(Role.ADMIN)
def remove(member_id: int) -> ResponseReturnValue:
    if not confirmed():
        with state().session_factory() as db:
            name = _team_member(db, member_id).username
        return ask(
            question=gettext("Remove %(name)s from the team?", name=name),
            consequences=[
                gettext(
                    "Their copy of the team keys and their sessions are deleted at once: "
                    "they can no longer log in or read anything."
                ),
                gettext("This cannot be undone. To let them back in, invite them again."),
            ],
            yes=gettext("Yes, remove %(name)s", name=name),
            back=url_for("accounts.members"),
        )
    with transaction(state().session_factory) as db:
        member = _team_member(db, member_id)
        if member.id == current.member().id:
            flash(gettext("You cannot remove yourself; ask another admin."), "error")
            return _back()
        if member.role == Role.ADMIN.value and not _other_active_admins(db, member):
            flash(gettext("The team must keep at least one admin."), "error")
            return _back()
        remove_member(db, member)
        current.record(db, "account_removed", details={"member": member.id})
    flash(gettext("Removed. Rotate the team key if this person may have copied it."))
    return _back()


@bp.route("/admin/members/<int:member_id>/unlock", methods=["POST"])
@requires(Role.ADMIN)
def unlock(member_id: int) -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        member = _team_member(db, member_id)
        member.failed_logins = 0
        member.locked_until = None
        current.record(db, "account_unlocked", details={"member": member.id})
    flash(gettext("%(name)s can log in again.", name=member.username))
    return _back()


@bp.route("/admin/keys/rotate", methods=["POST"])
@requires(Role.ADMIN)
def rotate() -> ResponseReturnValue:
    if not confirmed():
        return ask(
            question=gettext("Change to a new team key?"),
            consequences=[
                gettext(
                    "New contacts are sealed to the new key from now on; old ones stay readable."
                ),
                gettext(
                    "Every other member gets the new key when they next log in: anyone logged "
                    "in now must log out and in again. A removed member never gets it."
                ),
                gettext("This cannot be undone."),
            ],
            yes=gettext("Yes, change the key"),
            back=url_for("keys.page"),
        )
    token = session.get("sid", "")
    with transaction(state().session_factory) as db:
        team = current.team(db)
        new_key, private_key = rotate_team_key(db, team, state().keys)
        keys = {**current.staff().team_private_keys, new_key.key_id: private_key}
        replace_session_keys(db, token, keys)
        current.record(db, "key_rotated", details={"key_id": new_key.key_id})
    flash(
        gettext(
            "A new team key is in use. Others get it when they log in again (anyone logged in"
            " now: log out and in); old contacts stay readable. The key's lock is new: make a new"
            " copy of the console's secrets kept apart (utvag console-secrets export)."
        )
    )
    return redirect(url_for("keys.page"))


@bp.route("/admin/keys/reseal", methods=["POST"])
@requires(Role.LEAD)
def reseal() -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        team = current.team(db)
        active = active_team_key(db, team.id)
        done = reseal_team(db, team.id, active, current.staff().team_private_keys)
        current.record(
            db,
            "resealed",
            details={"key_id": active.key_id, "resealed": done.resealed, "left": done.left},
        )
    flash(
        gettext(
            "%(resealed)d sealed items moved to the current key; %(left)d are still sealed to"
            " an older key.",
            resealed=done.resealed,
            left=done.left,
        )
    )
    return redirect(url_for("keys.page"))
