"""Changing which number a person may be called from, against their choice.

The person chose (on the form, the receipt page or the hotline) whether we
may call from the hotline's number, whose greeting names the programme, or
only from a number that names nothing. Staff may change it only with a
reason (the person asked on a call, say): the reason is sealed to the team
key like any note, and the audit trail records the change, from and to,
without it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from triage import current
from triage.roles import requires
from triage.state import state
from utvag.repo.call_from import change_call_from
from utvag.repo.contacts import contact_for_team
from utvag.store.db import transaction
from utvag.store.models import CallFrom, Role

bp = Blueprint("call_from", __name__)

REASON_MAX = 2000


@bp.route("/contacts/<int:contact_id>/call-from", methods=["POST"])
@requires(Role.COORDINATOR)
def change(contact_id: int) -> ResponseReturnValue:
    back = redirect(url_for("contacts.show", contact_id=contact_id))
    try:
        chosen = CallFrom(request.form.get("call_from", ""))
    except ValueError:
        flash(gettext("Choose which number we may call from."), "error")
        return back
    reason = request.form.get("reason", "").strip()[:REASON_MAX]
    if not reason:
        flash(gettext("Write why you change what the person chose. Nothing was changed."), "error")
        return back
    with transaction(state().session_factory) as db:
        team = current.team(db)
        contact = contact_for_team(db, team.id, contact_id)
        if contact is None:
            abort(404)
        before = contact.call_from
        sealed_reason = current.seal_note(db, reason)
        if sealed_reason is None:  # only an empty note seals to nothing
            abort(400)
        changed = change_call_from(
            db, contact, chosen, staff_member_id=current.member().id, sealed_reason=sealed_reason
        )
        if changed is not None:
            current.record(
                db,
                "call_from_changed",
                contact_id=contact.id,
                details={"from": before, "to": chosen.value},
            )
    if changed is None:
        flash(gettext("That is already how we may call."), "info")
    else:
        flash(gettext("Changed. The reason is kept, sealed, with the contact."))
    return back
