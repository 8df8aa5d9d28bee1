"""The hotline: Twilio's voice webhooks.

``/telephony/voice`` is the number's incoming-call URL. When someone is on
duty (inside the team's hours and a duty phone is set) the call is put
through to them; otherwise, or if nobody answers, the caller hears a short
menu in which pressing 1 asks for a call-back. The caller's number is sealed
to the team key inside the request that receives it, like a web form; it is
never logged or kept in clear. Every request must carry a valid
``X-Twilio-Signature``; without telephony configured these URLs do not exist.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

from babel.dates import format_date
from flask import Blueprint, Response, abort, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from crypto.job_secrets import lock_job_value
from intake_web.sealing import store_sealed_contact
from intake_web.state import state
from intake_web.teams import public_team
from utvag.config import TwilioConfig
from utvag.db import transaction, utcnow
from utvag.dispatch import claim_for_sending, send_after_commit
from utvag.due import CallbackWindow
from utvag.models import CallAttempt, CallOutcome, ContactChannel, ContactKind, ContactStatus
from utvag.phones import normalise_phone
from utvag.repo import outbox
from utvag.repo.contacts import contact_by_call_digest
from utvag.repo.teams import calendar_for

bp = Blueprint("telephony", __name__, url_prefix="/telephony")
log = logging.getLogger(__name__)

VOICE = {"language": "sv-SE", "voice": "alice"}
MENU_TIMEOUT_SECONDS = 8
DIAL_TIMEOUT_SECONDS = 25

EMERGENCY = "Är du i fara just nu, lägg på och ring 112."
WELCOME = "Du har kommit till avhopparverksamheten."
NOBODY_NOW = "Just nu kan ingen svara."
CLOSED_UNTIL = "Vi har stängt nu och öppnar igen {when}."
MENU_CHOICES = (
    "Tryck 1 om du vill att vi ringer upp dig på det här numret. "
    "Tryck 2 om du vill lämna ett meddelande. "
    "Tryck 3 om du ringer om någon som står dig nära, så ringer vi upp dig."
)
NO_CHOICE = "Vi fick inget val. Du kan också skriva till oss på vår webbplats. Hej då."
THANKS = (
    "Tack. Vi ringer upp dig på det här numret en vardag under kontorstid. "
    "Om det inte passar när vi ringer, säg bara att det är fel nummer. Hej då."
)
HIDDEN_NUMBER = (
    "Vi kan inte se ditt nummer, så vi kan inte ringa upp. "
    "Tryck 2 om du vill lämna ett meddelande i stället. "
    "Du kan också ringa igen utan dolt nummer, eller skriv till oss på vår webbplats."
)
LEAVE_MESSAGE = (
    "Tala in ditt meddelande efter tonen. Du har två minuter. "
    "Säg gärna hur och när vi kan nå dig. Tryck fyrkant eller lägg på när du är klar."
)
MESSAGE_THANKS = (
    "Tack, vi har fått ditt meddelande. Vi lyssnar på det en vardag under kontorstid. Hej då."
)
PUTTING_THROUGH = "Vänta, du kopplas till oss."
# Sealed with the number of an answered call, so the contact says what it is.
ANSWERED_NOTE = "Samtal till telefonlinjen som besvarades av jourtelefonen."
VOICE_MESSAGE_NOTE = "Valde att lämna ett röstmeddelande på telefonlinjen."
# The answering machine: how long a message may be, in seconds.
MAX_MESSAGE_SECONDS = 120
# A call is deleted at Twilio once it has ended; until then Twilio refuses
# and the worker tries again (outbox relay), so the first try waits a little.
FORGET_CALL_AFTER = timedelta(minutes=2)


def _twilio() -> TwilioConfig:
    twilio = state().config.twilio
    if twilio is None:
        abort(404)
    return twilio


@bp.before_request
def _require_twilio_signature() -> None:
    """Only Twilio, signing with the account's auth token, gets an answer."""
    twilio = _twilio()
    public_url = state().config.public_url
    url = (
        f"{public_url}{request.full_path}"
        if request.query_string
        else f"{public_url}{request.path}"
    )
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form.to_dict() if request.method == "POST" else {}
    if not RequestValidator(twilio.auth_token).validate(url, params, signature):
        abort(403)


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _hours_sentence() -> str:
    """When we answer again, from the team's calendar: "... öppnar igen
    måndag klockan 08:00"; or that nobody can answer right now."""
    with state().session_factory() as session:
        team = public_team(session)
        if team is None:
            return NOBODY_NOW
        calendar = calendar_for(session, team)
    now = utcnow()
    if calendar.is_open(now):
        return NOBODY_NOW
    opens = calendar.next_open(now).astimezone(calendar.zone)
    day = format_date(opens.date(), "EEEE d MMMM", locale="sv")
    return CLOSED_UNTIL.format(when=f"{day} klockan {opens.strftime('%H:%M')}")


def _menu(response: VoiceResponse) -> VoiceResponse:
    """112 first, then when we are open, then the choices."""
    gather = Gather(
        num_digits=1,
        action=url_for("telephony.menu"),
        method="POST",
        timeout=MENU_TIMEOUT_SECONDS,
    )
    gather.say(f"{EMERGENCY} {WELCOME} {_hours_sentence()} {MENU_CHOICES}", **VOICE)
    response.append(gather)
    response.say(NO_CHOICE, **VOICE)
    return response


def _duty_phone_now() -> str | None:
    with state().session_factory() as session:
        team = public_team(session)
        if team is None or not team.duty_phone:
            return None
        if not calendar_for(session, team).is_open(utcnow()):
            return None
        return team.duty_phone


def _forget_at_twilio_later() -> None:
    """Every call to the hotline is deleted at Twilio once it has ended
    (the worker's ``forget_call``): Twilio's call log holds the number."""
    call_sid = request.form.get("CallSid", "")
    if not call_sid:
        abort(400)
    with transaction(state().session_factory) as session:
        outbox.add_job(
            session,
            "forget_call",
            lock_job_value(_twilio().auth_token, call_sid),
            run_at=utcnow() + FORGET_CALL_AFTER,
            flush=False,
        )


@bp.route("/voice", methods=["POST"])
def voice() -> ResponseReturnValue:
    _forget_at_twilio_later()
    response = VoiceResponse()
    duty_phone = _duty_phone_now()
    if duty_phone is None:
        return _twiml(_menu(response))
    response.say(PUTTING_THROUGH, **VOICE)
    dial = response.dial(
        action=url_for("telephony.dial_status"),
        method="POST",
        timeout=DIAL_TIMEOUT_SECONDS,
        caller_id=_twilio().number,
    )
    dial.number(duty_phone)
    return _twiml(response)


def _store_call_once(
    fields: dict[str, str],
    *,
    kind: ContactKind,
    wants_callback: bool,
    reached: bool,
) -> int | None:
    """Seal and store this call as a contact, once per CallSid: a replayed or
    doubled webhook stores nothing. A reached call also gets its attempt in
    the call log. Returns the new contact's id, or None if it was stored
    before."""
    app_state = state()
    call_digest = call_sid_digest(app_state.secrets.receipt_key, request.form.get("CallSid", ""))
    try:
        with transaction(app_state.session_factory) as session:
            team = public_team(session)
            if team is None:
                abort(503)
            if contact_by_call_digest(session, call_digest) is not None:
                return None
            receipt = store_sealed_contact(
                session,
                team,
                app_state.secrets.receipt_key,
                fields=fields,
                kind=kind.value,
                channel=ContactChannel.PHONE.value,
                wants_callback=wants_callback,
                callback_window=CallbackWindow.ASAP if wants_callback else None,
                call_digest=call_digest,
                status=ContactStatus.REACHED if reached else ContactStatus.RECEIVED,
            )
            if reached:
                session.add(
                    CallAttempt(
                        contact_id=receipt.contact.id,
                        team_id=team.id,
                        outcome=CallOutcome.REACHED.value,
                    )
                )
            jobs = claim_for_sending(session, receipt.outbox_entries)
    except IntegrityError:
        return None  # the same request twice at once: the other one stored it
    send_after_commit(app_state.session_factory, app_state.redis, jobs)
    return receipt.contact.id


@bp.route("/dial-status", methods=["POST"])
def dial_status() -> ResponseReturnValue:
    """After the forwarded call. Answered: the call becomes a contact (channel
    telefon, status reached, with the attempt in the call log) so it is
    worked and counted like the rest. Not answered: the call-back menu."""
    if request.form.get("DialCallStatus") != "completed":
        return _twiml(_menu(VoiceResponse()))
    phone = normalise_phone(request.form.get("From", ""))
    contact_id = _store_call_once(
        {"phone": phone or "", "note": ANSWERED_NOTE},
        kind=ContactKind.DEFECTOR,
        wants_callback=False,
        reached=True,
    )
    if contact_id is not None:
        log.info("contact %s: a hotline call was answered", contact_id)
    return _twiml(VoiceResponse())


@bp.route("/menu", methods=["POST"])
def menu() -> ResponseReturnValue:
    response = VoiceResponse()
    choice = request.form.get("Digits")
    if choice == "2":
        return _twiml(_answering_machine(response))
    if choice not in ("1", "3"):
        return _twiml(_menu(response))
    phone = normalise_phone(request.form.get("From", ""))
    if phone is None:
        # Nothing to call back; a message needs no number.
        gather = Gather(
            num_digits=1,
            action=url_for("telephony.menu"),
            method="POST",
            timeout=MENU_TIMEOUT_SECONDS,
        )
        gather.say(HIDDEN_NUMBER, **VOICE)
        response.append(gather)
        response.say(NO_CHOICE, **VOICE)
        return _twiml(response)
    contact_id = _store_call_once(
        {"phone": phone, "window": CallbackWindow.ASAP.value},
        kind=ContactKind.RELATIVE if choice == "3" else ContactKind.DEFECTOR,
        wants_callback=True,
        reached=False,
    )
    if contact_id is not None:
        log.info("contact %s received on the hotline", contact_id)
    response.say(THANKS, **VOICE)  # the same words for a replay: nothing stored twice
    return _twiml(response)


def _answering_machine(response: VoiceResponse) -> VoiceResponse:
    """Option 2: the call becomes a message-only contact now (with the
    number, sealed, if one is shown), so the recording Twilio reports later
    has a contact to join; then up to two minutes are recorded, never
    transcribed."""
    phone = normalise_phone(request.form.get("From", ""))
    contact_id = _store_call_once(
        {"phone": phone or "", "note": VOICE_MESSAGE_NOTE},
        kind=ContactKind.DEFECTOR,
        wants_callback=False,
        reached=False,
    )
    if contact_id is not None:
        log.info("contact %s: a caller chose to leave a message", contact_id)
    response.say(LEAVE_MESSAGE, **VOICE)
    response.record(
        action=url_for("telephony.recorded"),
        method="POST",
        max_length=MAX_MESSAGE_SECONDS,
        finish_on_key="#",
        play_beep=True,
        transcribe=False,
        recording_status_callback=f"{state().config.public_url}"
        + url_for("telephony.recording_status"),
        recording_status_callback_method="POST",
    )
    response.say(MESSAGE_THANKS, **VOICE)
    return response


@bp.route("/recorded", methods=["POST"])
def recorded() -> ResponseReturnValue:
    """The caller finished (pressed #, hung up, or the time ran out). The
    audio is not ready yet: Twilio reports it to ``recording_status``."""
    response = VoiceResponse()
    response.say(MESSAGE_THANKS, **VOICE)
    return _twiml(response)


@bp.route("/recording-status", methods=["POST"])
def recording_status() -> ResponseReturnValue:
    """Twilio has the recording: hand it to the worker, which fetches, seals
    and stores it, then deletes it at Twilio. A recording of a call this
    hotline never stored is refused (404) and nothing is kept."""
    app_state = state()
    call_digest = call_sid_digest(app_state.secrets.receipt_key, request.form.get("CallSid", ""))
    recording_sid = request.form.get("RecordingSid", "")
    if not recording_sid:
        abort(400)
    if request.form.get("RecordingStatus", "completed") != "completed":
        log.info("a hotline recording was not completed; nothing to fetch")
        return Response(status=204)
    try:
        duration = int(request.form.get("RecordingDuration", "0"))
    except ValueError:
        abort(400)
    with transaction(app_state.session_factory) as session:
        contact = contact_by_call_digest(session, call_digest)
        if contact is None:
            abort(404)
        entry = outbox.add_job(
            session,
            "store_voice_message",
            contact.id,
            lock_job_value(_twilio().auth_token, recording_sid),
            duration,
        )
        jobs = claim_for_sending(session, [entry])
        contact_id = contact.id
    send_after_commit(app_state.session_factory, app_state.redis, jobs)
    log.info("contact %s: a voice message is waiting to be fetched", contact_id)
    return Response(status=204)


def call_sid_digest(secret: bytes, call_sid: str) -> str:
    """Twilio's id of the call, as an HMAC under a server secret: enough to
    recognise the same call again, useless for finding it at Twilio."""
    if not call_sid:
        abort(400)
    return hmac.new(secret, b"twilio-call:" + call_sid.encode(), hashlib.sha256).hexdigest()
