"""Playing a message left on the hotline's answering machine.

The audio is sealed to the team key like everything a person said; it is
opened here, for a member holding the key, and every playing is audited as
an opening. It is sent with the console's no-store headers, so the browser
keeps no copy.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask.typing import ResponseReturnValue

from crypto.errors import CryptoError
from crypto.opening import open_sealed
from triage import current
from triage.roles import requires
from triage.state import state
from utvag.repo.contacts import contact_for_team
from utvag.repo.voice import voice_message_of
from utvag.store.db import transaction
from utvag.store.models import Role

bp = Blueprint("voice", __name__)


@bp.route("/contacts/<int:contact_id>/voice/<int:message_id>.mp3")
@requires(Role.COORDINATOR)
def play(contact_id: int, message_id: int) -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        team = current.team(db)
        contact = contact_for_team(db, team.id, contact_id)
        message = voice_message_of(db, contact_id, message_id) if contact is not None else None
        if message is None:
            abort(404)
        try:
            audio = open_sealed(current.staff().team_private_keys, message.sealed_audio)
        except CryptoError:
            audio = None
        current.record(
            db,
            "voice_played" if audio is not None else "decrypt_failed",
            contact_id=contact_id,
        )
    if audio is None:
        abort(403)
    return Response(audio, mimetype="audio/mpeg")
