"""The hotline: Twilio's voice webhooks.

``/telephony/voice`` is the number's incoming-call URL. When someone is on
duty (inside the team's hours and a duty phone is set) the call is put
through to them, screened: the duty phone hears a whisper and must press 1
to take it, so a phone that is off or busy never catches the caller in its
own voicemail. Otherwise, or if nobody takes it, the caller hears 112 first,
when we open again, and a menu: 1 a call-back, 2 the answering machine,
3 a call-back about someone close, 7/8/9 Swedish, English, Arabic. After a
call-back request or a message the caller hears a receipt code, read slowly,
to read our replies on the website.

The caller's number is sealed to the team key inside the request that
receives it, like a web form; it is never logged or kept in clear. Every
call is deleted at Twilio once it has ended (the worker's ``forget_call``).
Every request must carry a valid ``X-Twilio-Signature``; without telephony
configured these URLs do not exist.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

from flask import Blueprint, Response, abort, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from crypto.errors import DecryptionError
from crypto.job_secrets import lock_job_value, unlock_job_value
from intake_web import telephony_speech as speech
from intake_web.sealing import store_sealed_contact
from intake_web.state import state
from intake_web.teams import public_team
from utvag.config import TwilioConfig
from utvag.db import transaction, utcnow
from utvag.dispatch import claim_for_sending, send_after_commit
from utvag.due import CallbackWindow
from utvag.models import CallAttempt, CallOutcome, ContactChannel, ContactKind, ContactStatus
from utvag.phones import PhoneRefusal, check_phone
from utvag.repo import outbox
from utvag.repo.contacts import contact_by_call_digest
from utvag.repo.hotline import mark_answered, was_answered
from utvag.repo.teams import calendar_for

bp = Blueprint("telephony", __name__, url_prefix="/telephony")
log = logging.getLogger(__name__)

MENU_TIMEOUT_SECONDS = 8
DIAL_TIMEOUT_SECONDS = 25
SCREEN_TIMEOUT_SECONDS = 6
CODE_TIMEOUT_SECONDS = 6

# Sealed with the number, for staff (the console speaks Swedish).
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


def _lang() -> str:
    """The call's language: Swedish until the caller chose another."""
    return speech.language_of(request.args.get("lang"))


def _say(target: VoiceResponse | Gather, lang: str, *sentences: str) -> None:
    target.say(" ".join(sentences), **speech.VOICES[lang])


def _hours_sentence(lang: str) -> str:
    """When we answer again, from the team's calendar ("... öppnar igen
    måndag 28 december klockan 08:00"), or that nobody can answer now."""
    with state().session_factory() as session:
        team = public_team(session)
        if team is None:
            return speech.words(lang, speech.NOBODY_NOW)
        calendar = calendar_for(session, team)
    now = utcnow()
    if calendar.is_open(now):
        return speech.words(lang, speech.NOBODY_NOW)
    opens = calendar.next_open(now).astimezone(calendar.zone)
    return speech.words(lang, speech.CLOSED_UNTIL, when=speech.opening_time(lang, opens))


def _menu_gather(lang: str) -> Gather:
    return Gather(
        num_digits=1,
        action=url_for("telephony.menu", lang=lang),
        method="POST",
        timeout=MENU_TIMEOUT_SECONDS,
    )


def _menu(response: VoiceResponse, lang: str) -> VoiceResponse:
    """112 first, then when we are open, then the choices, then the other
    languages, each offered in its own voice."""
    gather = _menu_gather(lang)
    _say(
        gather,
        lang,
        speech.words(lang, speech.EMERGENCY),
        speech.words(lang, speech.WELCOME),
        _hours_sentence(lang),
        speech.words(lang, speech.MENU_CHOICES),
    )
    for other, offer in speech.LANGUAGE_OFFERS.items():
        if other != lang:
            _say(gather, other, offer)
    response.append(gather)
    _say(response, lang, speech.words(lang, speech.NO_CHOICE))
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
        return _twiml(_menu(response, speech.DEFAULT_LANGUAGE))
    lang = speech.DEFAULT_LANGUAGE
    _say(response, lang, speech.words(lang, speech.PUTTING_THROUGH))
    dial = response.dial(
        action=url_for("telephony.dial_status"),
        method="POST",
        timeout=DIAL_TIMEOUT_SECONDS,
        caller_id=_twilio().number,
        answer_on_bridge=True,
    )
    dial.number(duty_phone, url=url_for("telephony.screen"), method="POST")
    return _twiml(response)


@bp.route("/screen", methods=["POST"])
def screen() -> ResponseReturnValue:
    """Runs on the duty phone's leg when it picks up, before the caller is
    connected: press 1 to take the call. No key (a voicemail, a pocket):
    the leg hangs up and the caller gets the menu."""
    lang = speech.DEFAULT_LANGUAGE
    response = VoiceResponse()
    gather = Gather(
        num_digits=1,
        action=url_for("telephony.screen_answer"),
        method="POST",
        timeout=SCREEN_TIMEOUT_SECONDS,
    )
    _say(gather, lang, speech.words(lang, speech.SCREENING))
    response.append(gather)
    response.hangup()
    return _twiml(response)


@bp.route("/screen-answer", methods=["POST"])
def screen_answer() -> ResponseReturnValue:
    """The duty phone pressed a key. 1: note that the caller's call (the
    parent) was taken, and connect; anything else: hang up this leg."""
    response = VoiceResponse()
    if request.form.get("Digits") != "1":
        response.hangup()
        return _twiml(response)
    digest = call_sid_digest(state().secrets.receipt_key, request.form.get("ParentCallSid", ""))
    try:
        with transaction(state().session_factory) as session:
            mark_answered(session, digest)
    except IntegrityError:
        pass  # the same key press reported twice at once: noted already
    log.info("a forwarded hotline call was taken by the duty phone")
    return _twiml(response)  # empty: Twilio now connects the two


def _store_call_once(
    fields: dict[str, str],
    *,
    kind: ContactKind,
    wants_callback: bool,
    reached: bool,
) -> tuple[int, str] | None:
    """Seal and store this call as a contact, once per CallSid: a replayed or
    doubled webhook stores nothing. A reached call also gets its attempt in
    the call log. Returns the new contact's id and receipt code, or None if
    it was stored before."""
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
                # A plain INSERT: the public role may add an attempt but not
                # read any back (INSERT ... RETURNING would need SELECT).
                session.execute(
                    insert(CallAttempt)
                    .inline()
                    .values(
                        contact_id=receipt.contact_id,
                        team_id=team.id,
                        outcome=CallOutcome.REACHED.value,
                        at=utcnow(),
                    )
                )
    except IntegrityError:
        return None  # the same request twice at once: the other one stored it
    send_after_commit(app_state.session_factory, app_state.redis, receipt.to_send)
    return receipt.contact_id, receipt.code


@bp.route("/dial-status", methods=["POST"])
def dial_status() -> ResponseReturnValue:
    """After the forwarded call. Taken (the duty phone pressed 1): the call
    becomes a contact (channel telefon, status reached, with the attempt in
    the call log) so it is worked and counted like the rest. Not taken: the
    menu."""
    app_state = state()
    digest = call_sid_digest(app_state.secrets.receipt_key, request.form.get("CallSid", ""))
    with app_state.session_factory() as session:
        taken = was_answered(session, digest)
    if not taken:
        return _twiml(_menu(VoiceResponse(), speech.DEFAULT_LANGUAGE))
    phone = check_phone(request.form.get("From", ""), app_state.config.call_countries).number
    stored = _store_call_once(
        {"phone": phone or "", "note": ANSWERED_NOTE},
        kind=ContactKind.DEFECTOR,
        wants_callback=False,
        reached=True,
    )
    if stored is not None:
        log.info("contact %s: a hotline call was answered", stored[0])
    return _twiml(VoiceResponse())


@bp.route("/menu", methods=["POST"])
def menu() -> ResponseReturnValue:
    lang = _lang()
    response = VoiceResponse()
    choice = request.form.get("Digits", "")
    if choice in speech.LANGUAGE_KEYS:
        return _twiml(_menu(response, speech.LANGUAGE_KEYS[choice]))
    if choice == "2":
        return _twiml(_answering_machine(response, lang))
    if choice not in ("1", "3"):
        return _twiml(_menu(response, lang))
    caller = check_phone(request.form.get("From", ""), state().config.call_countries)
    if caller.number is None:
        # Nothing we may call back: a hidden number, or one we never ring
        # (premium rate, satellite, another country). A message needs no number.
        gather = _menu_gather(lang)
        refused = (
            speech.HIDDEN_NUMBER
            if caller.refusal is PhoneRefusal.UNREADABLE
            else speech.CANNOT_CALL_BACK
        )
        _say(gather, lang, speech.words(lang, refused))
        response.append(gather)
        _say(response, lang, speech.words(lang, speech.NO_CHOICE))
        return _twiml(response)
    stored = _store_call_once(
        {"phone": caller.number, "window": CallbackWindow.ASAP.value},
        kind=ContactKind.RELATIVE if choice == "3" else ContactKind.DEFECTOR,
        wants_callback=True,
        reached=False,
    )
    _say(response, lang, speech.words(lang, speech.THANKS))
    if stored is None:  # a replay: the same words, nothing stored twice, no code
        _say(response, lang, speech.words(lang, speech.GOODBYE))
        return _twiml(response)
    log.info("contact %s received on the hotline", stored[0])
    return _twiml(_read_code(response, lang, stored[1]))


def _read_code(response: VoiceResponse, lang: str, code: str) -> VoiceResponse:
    """The receipt code, read slowly; 1 reads it again. The code travels to
    the next request locked under the auth token (Twilio sees only that)."""
    locked = lock_job_value(_twilio().auth_token, code)
    gather = Gather(
        num_digits=1,
        action=url_for("telephony.code_again", lang=lang, code=locked),
        method="POST",
        timeout=CODE_TIMEOUT_SECONDS,
    )
    _say(
        gather,
        lang,
        speech.words(lang, speech.YOUR_CODE, code=speech.spelled(code)),
        speech.words(lang, speech.REPEAT_CODE),
    )
    response.append(gather)
    _say(response, lang, speech.words(lang, speech.GOODBYE))
    return response


def _unlocked_code(locked: str) -> str:
    """The receipt code a Gather or Record URL carries, locked; 400 if it
    was not locked under this auth token."""
    try:
        return unlock_job_value(_twilio().auth_token, locked)
    except DecryptionError:
        abort(400)


@bp.route("/code", methods=["POST"])
def code_again() -> ResponseReturnValue:
    lang = _lang()
    response = VoiceResponse()
    if request.form.get("Digits") != "1":
        _say(response, lang, speech.words(lang, speech.GOODBYE))
        return _twiml(response)
    return _twiml(_read_code(response, lang, _unlocked_code(request.args.get("code", ""))))


def _answering_machine(response: VoiceResponse, lang: str) -> VoiceResponse:
    """Option 2: the call becomes a message-only contact now (with the
    number, sealed, if one is shown), so the recording Twilio reports later
    has a contact to join; then up to two minutes are recorded, never
    transcribed; then the receipt code."""
    phone = check_phone(request.form.get("From", ""), state().config.call_countries).number
    stored = _store_call_once(
        {"phone": phone or "", "note": VOICE_MESSAGE_NOTE},
        kind=ContactKind.DEFECTOR,
        wants_callback=False,
        reached=False,
    )
    locked_code = None
    if stored is not None:
        log.info("contact %s: a caller chose to leave a message", stored[0])
        locked_code = lock_job_value(_twilio().auth_token, stored[1])
    _say(response, lang, speech.words(lang, speech.LEAVE_MESSAGE))
    response.record(
        action=url_for("telephony.recorded", lang=lang, code=locked_code),
        method="POST",
        max_length=MAX_MESSAGE_SECONDS,
        finish_on_key="#",
        play_beep=True,
        transcribe=False,
        recording_status_callback=f"{state().config.public_url}"
        + url_for("telephony.recording_status"),
        recording_status_callback_method="POST",
    )
    return response


@bp.route("/recorded", methods=["POST"])
def recorded() -> ResponseReturnValue:
    """The caller finished (pressed #, or the time ran out): thanks, and the
    receipt code. The audio is not ready yet: Twilio reports it to
    ``recording_status``."""
    lang = _lang()
    response = VoiceResponse()
    _say(response, lang, speech.words(lang, speech.MESSAGE_THANKS))
    locked = request.args.get("code")
    if locked is None:
        _say(response, lang, speech.words(lang, speech.GOODBYE))
        return _twiml(response)
    return _twiml(_read_code(response, lang, _unlocked_code(locked)))


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


# How Twilio ends the person's leg of a switchboard call, and what the call
# log calls it. An answered call ("completed") is logged by the member, who
# knows what was said; a failed or cancelled one is theirs to judge too.
SWITCHBOARD_OUTCOMES = {"no-answer": CallOutcome.NO_ANSWER, "busy": CallOutcome.BUSY}


@bp.route("/bridge-status", methods=["POST"])
def bridge_status() -> ResponseReturnValue:
    """The end of the person's leg of a call a member made through the
    switchboard (``triage.switchboard``). The reference (contact and member)
    comes back locked under the auth token; the worker logs the outcome,
    since the public app may not change a contact."""
    try:
        reference = unlock_job_value(_twilio().auth_token, request.args.get("ref", ""))
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


def call_sid_digest(secret: bytes, call_sid: str) -> str:
    """Twilio's id of the call, as an HMAC under a server secret: enough to
    recognise the same call again, useless for finding it at Twilio."""
    if not call_sid:
        abort(400)
    return hmac.new(secret, b"twilio-call:" + call_sid.encode(), hashlib.sha256).hexdigest()
