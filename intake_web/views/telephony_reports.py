"""Twilio's reports after the fact, for either number: a recording is
ready (the worker fetches, seals and stores it, then deletes it at Twilio),
and how the person's leg of a switchboard call ended (the worker logs no
answer or busy). Neither answers with speech, so neither is a greeting the
number that names nothing must guard (``intake_web.views.telephony``).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from crypto.errors import DecryptionError
from crypto.job_secrets import lock_job_value, unlock_job_value
from intake_web.state import state
from intake_web.twilio_webhooks import (
    recording_duration,
    require_twilio_signature,
    require_well_formed_sids,
    sid,
    this_call_digest,
    twilio,
)
from utvag.jobs.dispatch import claim_for_sending, send_after_commit
from utvag.repo import outbox
from utvag.store.db import transaction
from utvag.store.models import CallOutcome, Contact

bp = Blueprint("telephony_reports", __name__, url_prefix="/telephony")
bp.before_request(require_twilio_signature)
bp.before_request(require_well_formed_sids)
log = logging.getLogger(__name__)


@bp.route("/recording-status", methods=["POST"])
def recording_status() -> ResponseReturnValue:
    """Twilio has the recording: hand it to the worker, which fetches, seals
    and stores it, then deletes it at Twilio. The contact it joins is the
    call's own, or (a message left on the number that names nothing, by a
    caller who typed their code) the one locked in ``ref``. A recording of a
    call this hotline never stored is refused (404); a malformed id or an
    impossible length is refused (400); either way nothing is queued."""
    app_state = state()
    recording_sid = sid("RecordingSid")
    contact_id = _recording_contact()
    if request.form.get("RecordingStatus", "completed") != "completed":
        log.info("a hotline recording was not completed; nothing to fetch")
        return Response(status=204)
    duration = recording_duration()
    with transaction(app_state.session_factory) as session:
        if contact_id is None:
            contact_id = session.scalar(
                select(Contact.id).where(Contact.call_digest == this_call_digest())
            )
        else:
            contact_id = session.scalar(select(Contact.id).where(Contact.id == contact_id))
        if contact_id is None:
            abort(404)
        entry = outbox.add_job(
            session,
            "store_voice_message",
            contact_id,
            lock_job_value(twilio().auth_token, recording_sid),
            duration,
        )
        jobs = claim_for_sending(session, [entry])
    send_after_commit(app_state.session_factory, app_state.redis, jobs)
    log.info("contact %s: a voice message is waiting to be fetched", contact_id)
    return Response(status=204)


def _recording_contact() -> int | None:
    """The contact a ``ref`` names (locked under the auth token), or None
    when there is no ``ref``; 400 if it does not open."""
    locked = request.args.get("ref")
    if locked is None:
        return None
    try:
        return int(unlock_job_value(twilio().auth_token, locked))
    except (DecryptionError, ValueError):
        abort(400)


# How Twilio ends the person's leg of a switchboard call, and what the call
# log calls it. An answered call ("completed") is logged by the member, who
# knows what was said; a failed or cancelled one is theirs to judge too.
SWITCHBOARD_OUTCOMES = {"no-answer": CallOutcome.NO_ANSWER, "busy": CallOutcome.BUSY}


@bp.route("/bridge-status", methods=["POST"])
def bridge_status() -> ResponseReturnValue:
    """The end of the person's leg of a call a member made through the
    switchboard (``triage.views.switchboard``). The reference (contact and member)
    comes back locked under the auth token; the worker logs the outcome,
    since the public app may not change a contact."""
    try:
        reference = unlock_job_value(twilio().auth_token, request.args.get("ref", ""))
        contact_id, member_id = (int(part) for part in reference.split(":"))
    except (DecryptionError, ValueError):
        abort(400)
    outcome = SWITCHBOARD_OUTCOMES.get(request.form.get("CallStatus", ""))
    if outcome is None:
        return Response(status=204)
    app_state = state()
    with transaction(app_state.session_factory) as session:
        entry = outbox.add_job(
            session, "log_switchboard_outcome", contact_id, member_id, outcome.value
        )
        jobs = claim_for_sending(session, [entry])
    send_after_commit(app_state.session_factory, app_state.redis, jobs)
    log.info("contact %s: a switchboard call ended without an answer", contact_id)
    return Response(status=204)
