"""What every Twilio webhook shares: the signature, well-formed ids, TwiML.

Both numbers' webhooks (the hotline's, ``intake_web.views.telephony``, and the
number that names nothing, ``intake_web.views.neutral_line``) answer only requests
signed with the account's auth token. A Twilio id (a call's ``CallSid``,
``ParentCallSid``, a recording's ``RecordingSid``) goes into a REST URL, an
HMAC or a job, so it must look exactly like Twilio's (two letters, 32 hex
digits) before anything uses it: anything else is a 400, with nothing stored
and nothing queued, even under a valid signature (a leaked token, a bug at
Twilio). Without telephony configured none of these URLs exist.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

from flask import Response, abort, request
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from crypto.errors import DecryptionError
from crypto.job_secrets import lock_job_value, unlock_job_value
from intake_web import telephony_speech as speech
from intake_web.state import state
from intake_web.teams import home_team
from utvag.clock import utcnow
from utvag.config import TwilioConfig
from utvag.phones import normalise_public_number
from utvag.repo import outbox
from utvag.repo.teams import PublicTeam, find_team_by_hotline_number, find_team_by_id
from utvag.store.db import transaction

# Twilio's ids: a two-letter kind and 32 hex digits (Twilio writes them in
# lower case; upper case is the same id and just as harmless in a URL).
SID_FORMATS = {
    "CallSid": re.compile(r"CA[0-9a-fA-F]{32}"),
    "ParentCallSid": re.compile(r"CA[0-9a-fA-F]{32}"),
    "RecordingSid": re.compile(r"RE[0-9a-fA-F]{32}"),
}
# A call is deleted at Twilio once it has ended; until then Twilio refuses
# and the worker tries again (outbox relay), so the first try waits a little.
FORGET_CALL_AFTER = timedelta(minutes=2)


def twilio() -> TwilioConfig:
    found = state().config.twilio
    if found is None:
        abort(404)
    return found


def require_twilio_signature() -> None:
    """Only Twilio, signing with the account's auth token, gets an answer."""
    config = twilio()
    public_url = state().config.public_url
    url = (
        f"{public_url}{request.full_path}"
        if request.query_string
        else f"{public_url}{request.path}"
    )
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form.to_dict() if request.method == "POST" else {}
    if not RequestValidator(config.auth_token).validate(url, params, signature):
        abort(403)


def require_well_formed_sids() -> None:
    """Every Twilio id the request carries is in Twilio's format, or 400."""
    for field, form in SID_FORMATS.items():
        value = request.form.get(field)
        if value is not None and not form.fullmatch(value):
            abort(400)


def sid(field: str) -> str:
    """A Twilio id the request must carry (its format is checked already)."""
    value = request.form.get(field, "")
    if not SID_FORMATS[field].fullmatch(value):
        abort(400)
    return value


def call_sid_digest(secret: bytes, call_sid: str) -> str:
    """Twilio's id of the call, as an HMAC under a server secret: enough to
    recognise the same call again, useless for finding it at Twilio."""
    if not SID_FORMATS["CallSid"].fullmatch(call_sid):
        abort(400)
    return hmac.new(secret, b"twilio-call:" + call_sid.encode(), hashlib.sha256).hexdigest()


def this_call_digest() -> str:
    return call_sid_digest(state().secrets.receipt_key, sid("CallSid"))


# The query parameter that carries, locked under the auth token, the team a
# caller chose in the install-wide number's menu (Twilio sees only the lock).
TEAM_REF = "team"
_TEAM_REF_PREFIX = "team:"


def called_number() -> str | None:
    """Twilio's ``To``, as E.164, or None if it is not a phone number."""
    return normalise_public_number(request.form.get("To", "").strip() or "-")


def install_number_called() -> bool:
    """Whether ``To`` is the install-wide number (``UTVAG_TWILIO_NUMBER``),
    as written there or in E.164. Twilio sends ``To`` with every call; a
    signed request without one is answered as a call to the install-wide
    number, as before there were several."""
    to = request.form.get("To", "").strip()
    own = twilio().number.strip()
    if not to or to == own:
        return True
    called = called_number()
    return called is not None and called == normalise_public_number(own)


def lock_team_ref(team_id: int) -> str:
    return lock_job_value(twilio().auth_token, f"{_TEAM_REF_PREFIX}{team_id}")


def _team_in_ref(session: Session, locked: str) -> PublicTeam:
    """The team a locked ``team`` parameter names; 400 if it does not open
    or names no team (any more)."""
    try:
        opened = unlock_job_value(twilio().auth_token, locked)
    except DecryptionError:
        abort(400)
    if not opened.startswith(_TEAM_REF_PREFIX) or not opened[len(_TEAM_REF_PREFIX) :].isdigit():
        abort(400)
    team = find_team_by_id(session, int(opened[len(_TEAM_REF_PREFIX) :]))
    if team is None:
        abort(400)
    return team


def called_team(session: Session) -> PublicTeam | None:
    """The team this call is for. ``To`` picks it: the team whose own
    number it is; on the install-wide number, the team chosen in its menu
    (``TEAM_REF``, which only the install-wide number honours), else the
    home team: the regional team, else ``UTVAG_TEAM``, as with one team.
    None for a number that no team owns and that is not the install's: it
    must never get another team's greeting."""
    called = called_number()
    owner = find_team_by_hotline_number(session, called) if called is not None else None
    if owner is not None:
        return owner
    if not install_number_called():
        return None
    locked = request.args.get(TEAM_REF)
    if locked is not None:
        return _team_in_ref(session, locked)
    return home_team(session)


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def say(target: VoiceResponse | Gather, lang: str, *sentences: str) -> None:
    target.say(" ".join(sentences), **speech.VOICES[lang])


def forget_at_twilio_later() -> None:
    """Every call to either number is deleted at Twilio once it has ended
    (the worker's ``forget_call``): Twilio's call log holds the number."""
    call_sid = sid("CallSid")
    with transaction(state().session_factory) as session:
        outbox.add_job(
            session,
            "forget_call",
            lock_job_value(twilio().auth_token, call_sid),
            run_at=utcnow() + FORGET_CALL_AFTER,
            flush=False,
        )


# The answering machine: how long a message may be, in seconds, and how far
# Twilio's reported length may run over it (the beep, rounding) before the
# report is not believed.
MAX_MESSAGE_SECONDS = 120
DURATION_MARGIN_SECONDS = 10


def record_message(response: VoiceResponse, action: str, ref: str | None = None) -> None:
    """Up to two minutes, never transcribed; ``#`` or hanging up ends it.
    Twilio reports the recording to ``/telephony/recording-status`` (with
    ``ref``, the contact it joins, locked, when the call made no contact of
    its own)."""
    status_url = f"{state().config.public_url}/telephony/recording-status"
    response.record(
        action=action,
        method="POST",
        max_length=MAX_MESSAGE_SECONDS,
        finish_on_key="#",
        play_beep=True,
        transcribe=False,
        recording_status_callback=f"{status_url}?ref={ref}" if ref else status_url,
        recording_status_callback_method="POST",
    )


def recording_duration() -> int:
    """Twilio's length of the recording in seconds; 400 for anything that is
    not a whole number the answering machine could have recorded."""
    reported = request.form.get("RecordingDuration", "")
    if not (reported.isascii() and reported.isdigit()) or len(reported) > 6:
        abort(400)
    seconds = int(reported)
    if seconds > MAX_MESSAGE_SECONDS + DURATION_MARGIN_SECONDS:
        abort(400)
    return seconds
