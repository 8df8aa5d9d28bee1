"""The team's keys, for the lead: what is still sealed to each, re-sealing,
and destroying a retired key once nothing needs it.

The page also says the two things a lead must act on and would otherwise
not see: that the oldest key still alive is older than the retention period
(so what retention deleted is still readable in older backups), and that
the copy of the console's secrets kept apart no longer matches the keys.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from triage import current
from triage.confirm import ask, confirmed
from triage.keys.keyring import replace_session_keys
from triage.roles import requires
from triage.state import state
from utvag.repo.key_destruction import (
    DestructionProblem,
    DestructionRefused,
    KeyState,
    destroy_team_key,
    oldest_live_key_predates,
    team_key_states,
)
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Role, TeamKey

bp = Blueprint("keys", __name__)

DESTRUCTION_REFUSED = {
    DestructionProblem.ACTIVE_KEY: _l(
        "The key in use cannot be destroyed. Rotate the team key first."
    ),
    DestructionProblem.ALREADY_DESTROYED: _l("That key is already destroyed."),
    DestructionProblem.STILL_SEALED: _l(
        "Something is still sealed to that key. Re-seal older contacts to the current key first."
    ),
}
COPY_EXPORTED = "console_secrets_exported"


def _copy_out_of_date(db: Session, team_id: int, states: list[KeyState]) -> bool:
    """True if the last copy of the console's secrets (``utvag console-secrets
    export``, audited) lacks a live key or still holds a destroyed one."""
    last = db.scalar(
        select(AuditEvent)
        .where(AuditEvent.team_id == team_id, AuditEvent.action == COPY_EXPORTED)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    copied = set(last.details.get("key_ids", [])) if last is not None else set()
    live = {state.key.key_id for state in states if state.key.destroyed_at is None}
    return last is None or copied != live


@bp.route("/keys")
@requires(Role.LEAD)
def page() -> ResponseReturnValue:
    with state().session_factory() as db:
        team = current.team(db)
        states = team_key_states(db, team.id, state().keys)
        return render_template(
            "keys.html",
            team=team,
            states=states,
            too_old=oldest_live_key_predates(states, team.retention_days),
            copy_out_of_date=_copy_out_of_date(db, team.id, states),
            zone=current.zone(team),
        )


def _team_key(db: Session, team_key_id: int) -> TeamKey:
    found = db.get(TeamKey, team_key_id)
    if found is None or found.team_id != current.member().team_id:
        abort(404)
    return found


@bp.route("/keys/<int:team_key_id>/destroy", methods=["POST"])
@requires(Role.LEAD)
def destroy(team_key_id: int) -> ResponseReturnValue:
    if not confirmed():
        with state().session_factory() as db:
            key_id = _team_key(db, team_key_id).key_id
        return ask(
            question=gettext("Destroy the team key %(key)s?", key=key_id),
            consequences=_consequences(),
            yes=gettext("Yes, destroy the key"),
            back=url_for("keys.page"),
        )
    token = session.get("sid", "")
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            team_key = _team_key(db, team_key_id)
            done = destroy_team_key(
                db, team, team_key, state().keys, keep_session_id=current.staff().record.id
            )
            kept = {
                kid: key
                for kid, key in current.staff().team_private_keys.items()
                if kid != done.team_key_id
            }
            replace_session_keys(db, token, kept)
            current.record(
                db,
                "key_destroyed",
                details={
                    "key_id": done.team_key_id,
                    "grants": done.grants_deleted,
                    "sessions": done.sessions_ended,
                },
            )
    except DestructionRefused as refused:
        flash(str(DESTRUCTION_REFUSED[refused.problem]), "error")
        return redirect(url_for("keys.page"))
    flash(
        gettext(
            "The key %(key)s is destroyed. Now replace the copy of the console's secrets kept"
            " apart (utvag console-secrets export) and destroy the old copy: it still holds the"
            " key's lock and could bring the key back.",
            key=done.team_key_id,
        )
    )
    return redirect(url_for("keys.page"))


def _consequences() -> list[Any]:
    return [
        gettext(
            "Nothing is sealed to this key any more: everything was re-sealed to the current key."
        ),
        gettext(
            "The key's lock and every copy of it are deleted: no one can open anything sealed to"
            " it again, not even from an older backup of the database."
        ),
        gettext("Everyone else in the team is logged out and logs in again."),
        gettext(
            "Afterwards, replace the copy of the console's secrets kept apart and destroy the old"
            " one: an old copy holds the key's lock."
        ),
        gettext("This cannot be undone."),
    ]
