"""One contact, opened for a logged-in member. Every opening is audited."""

from __future__ import annotations

import json
from typing import Any

import phonenumbers
from flask import Blueprint, abort, g, render_template
from flask.typing import ResponseReturnValue

from crypto.errors import CryptoError
from crypto.opening import open_sealed
from triage.roles import requires
from triage.state import state
from utvag.db import transaction
from utvag.models import Role, Team
from utvag.repo import audit
from utvag.repo.contacts import contact_for_team
from utvag.repo.teams import calendar_for

bp = Blueprint("contacts", __name__)


def open_content(private_keys: dict[str, bytes], sealed: bytes) -> dict[str, Any] | None:
    """The fields the person typed, or None if no key the member holds opens it."""
    try:
        document = json.loads(open_sealed(private_keys, sealed))
    except CryptoError:
        return None
    fields = document.get("fields", {})
    return fields if isinstance(fields, dict) else {}


def phone_for_display(e164: str) -> str:
    """Swedish numbers as staff dial them from a desk phone, others international."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 46:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@bp.route("/contacts/<int:contact_id>")
@requires(Role.COORDINATOR)
def show(contact_id: int) -> ResponseReturnValue:
    current = g.staff
    with transaction(state().session_factory) as db:
        contact = contact_for_team(db, current.member.team_id, contact_id)
        if contact is None:
            abort(404)
        team = db.get(Team, contact.team_id)
        content = open_content(current.team_private_keys, contact.sealed_content)
        audit.record(
            db,
            "decrypt" if content is not None else "decrypt_failed",
            team_id=contact.team_id,
            actor_id=current.member.id,
            actor_name=current.member.username,
            contact_id=contact.id,
        )
    phone = content.get("phone") if content else None
    return render_template(
        "contact.html",
        contact=contact,
        content=content,
        phone_display=phone_for_display(phone) if phone else None,
        zone=calendar_for(team).zone if team else None,
    )
