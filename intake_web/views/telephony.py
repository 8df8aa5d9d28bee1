"""The hotline: Twilio's voice webhooks.

Each Twilio number belongs to one team: the signed ``To`` picks the team
(``intake_web.twilio_webhooks.called_team``) whose hours, duty phone and
answering machine answer, and whose key seals what the call leaves. A
number no team owns and that is not the install's gets one neutral
sentence and a hang-up. The install-wide number (``UTVAG_TWILIO_NUMBER``)
answers for the public team, or, once two to six teams have their own
number, first plays a menu of them (``region``); the choice then travels
in every later URL, locked under the auth token.

``/telephony/voice`` is the number's incoming-call URL. When someone is on
duty (inside the team's hours and a duty phone is set) the call is put
through to them, screened: the duty phone hears a whisper and must press 1
to take it, so a phone that is off or busy never catches the caller in its
own voicemail. Otherwise, or if nobody takes it, the caller hears 112 first,
when we open again, and a menu: 1 a call-back, 2 the answering machine,
3 a call-back about someone close, 7/8/9 Swedish, English, Arabic. After a
call-back request or a message the caller hears a receipt code, read slowly,
to read our replies on the website.

After pressing 1 or 3 the caller chooses which number we may call them
from: one that names nothing (the default, also on a timeout or any other
key) or this one, whose greeting names the programme. Their phone keeps it
in its call log.

The caller's number is sealed to the team key inside the request that
receives it, like a web form; it is never logged or kept in clear. Every
call is deleted at Twilio once it has ended (the worker's ``forget_call``).
Every request must carry a valid ``X-Twilio-Signature`` and Twilio ids in
Twilio's format (``intake_web.twilio_webhooks``); without telephony
configured these URLs do not exist. A call whose ``To`` is the number that
names nothing gets that number's neutral answer here too, whatever URL it
was sent to (``intake_web.views.neutral_line``): a misconfigured number cannot
say who we are.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, g, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from twilio.twiml.voice_response import Gather, VoiceResponse

from crypto.errors import DecryptionError
from crypto.job_secrets import lock_job_value, unlock_job_value
from intake_web import telephony_speech as speech
from intake_web.sealing import store_sealed_contact
from intake_web.state import state
from intake_web.twilio_webhooks import (
    TEAM_REF,
    call_sid_digest,
    called_team,
    forget_at_twilio_later,
    install_number_called,
    lock_team_ref,
    record_message,
    require_twilio_signature,
    require_well_formed_sids,
    say,
    sid,
    this_call_digest,
    twilio,
    twiml,
)
from intake_web.views import neutral_line
from utvag.calendar.due import CallbackWindow
from utvag.clock import utcnow
from utvag.jobs.dispatch import claim_for_sending, send_after_commit
from utvag.phones import PhoneRefusal, check_phone
from utvag.repo import outbox
from utvag.repo.contacts import CALL_FROM_JOB, contact_by_call_digest
from utvag.repo.hotline import mark_answered, was_answered
from utvag.repo.teams import PublicTeam, calendar_for, teams_with_hotline_numbers
from utvag.store.db import transaction
from utvag.store.models import (
    CallAttempt,
    CallFrom,
    CallOutcome,
    Contact,
    ContactChannel,
    ContactKind,
    ContactStatus,
)

bp = Blueprint("telephony", __name__, url_prefix="/telephony")
log = logging.getLogger(__name__)

MENU_TIMEOUT_SECONDS = 8
DIAL_TIMEOUT_SECONDS = 25
SCREEN_TIMEOUT_SECONDS = 6
CODE_TIMEOUT_SECONDS = 6
CALL_FROM_TIMEOUT_SECONDS = 6
# The install-wide number's menu: keys 1-6 name teams (7, 8 and 9 are the
# languages, 0 is "I don't know"); a key that names no team repeats the
# menu once, then the call goes to the default team.
MAX_MENU_TEAMS = 6
MENU_RETRIES = 1
# What the duty phone's screen and its answer need: no team, no greeting.
_TEAMLESS_ENDPOINTS = {"telephony.screen", "telephony.screen_answer"}

# Sealed with the number, for staff (the console speaks Swedish).
ANSWERED_NOTE = "Samtal till telefonlinjen som besvarades av jourtelefonen."
VOICE_MESSAGE_NOTE = "Valde att lämna ett röstmeddelande på telefonlinjen."

bp.before_request(require_twilio_signature)
bp.before_request(require_well_formed_sids)


@bp.before_request
def _the_neutral_number_names_nothing() -> ResponseReturnValue | None:
    """A call to the number that names nothing never reaches the hotline's
    greeting or menu, whichever of our URLs Twilio was told to use for it:
    dispatched on the signed ``To``."""
    if twilio().is_neutral_number(request.form.get("To", "")):
        return neutral_line.answer_call()
    return None


@bp.before_request
def _the_called_number_picks_the_team() -> ResponseReturnValue | None:
    """``To`` picks the team (``called_team``): its greeting, hours, duty
    phone and answering machine. A number no team owns and that is not the
    install's gets one neutral sentence and is hung up on, never another
    team's greeting."""
    if request.endpoint in _TEAMLESS_ENDPOINTS:
        return None
    with state().session_factory() as session:
        team = called_team(session)
    if team is None:
        if request.endpoint == "telephony.voice":
            forget_at_twilio_later()
        response = VoiceResponse()
        lang = speech.DEFAULT_LANGUAGE
        say(response, lang, speech.words(lang, speech.UNKNOWN_NUMBER))
        response.hangup()
        log.info("a call to a number no team owns was hung up on")
        return twiml(response)
    g.hotline_team = team
    # Carried on, so every later step of a call routed by the menu stays
    # with the team chosen.
    g.team_ref = request.args.get(TEAM_REF) if install_number_called() else None
    return None


def _team() -> PublicTeam:
    """The team this call is for (set before the request)."""
    team: PublicTeam = g.hotline_team
    return team


def _url(endpoint: str, **values: Any) -> str:
    """``url_for``, carrying the menu's choice of team when there is one."""
    team_ref = g.get("team_ref")
    if team_ref is not None:
        values[TEAM_REF] = team_ref
    return url_for(endpoint, **values)


def _lang() -> str:
    """The call's language: Swedish until the caller chose another."""
    return speech.language_of(request.args.get("lang"))


def _hours_sentence(lang: str) -> str:
    """When we answer again, from the team's calendar ("... öppnar igen
    måndag 28 december klockan 08:00"), or that nobody can answer now."""
    with state().session_factory() as session:
        calendar = calendar_for(session, _team())
    now = utcnow()
    if calendar.is_open(now):
        return speech.words(lang, speech.NOBODY_NOW)
    opens = calendar.next_open(now).astimezone(calendar.zone)
    closed_today = calendar.is_team_closure(now.astimezone(calendar.zone).date())
    sentence = speech.CLOSED_TODAY if closed_today else speech.CLOSED_UNTIL
    return speech.words(lang, sentence, when=speech.opening_time(lang, opens))


def _menu_gather(lang: str) -> Gather:
    return Gather(
        num_digits=1,
        action=_url("telephony.menu", lang=lang),
        method="POST",
        timeout=MENU_TIMEOUT_SECONDS,
    )


def _menu(response: VoiceResponse, lang: str) -> VoiceResponse:
    """112 first, then when we are open, then the choices, then the other
    languages, each offered in its own voice."""
    gather = _menu_gather(lang)
    say(
        gather,
        lang,
        speech.words(lang, speech.EMERGENCY),
        speech.words(lang, speech.WELCOME),
        _hours_sentence(lang),
        speech.words(lang, speech.MENU_CHOICES),
    )
    for other, offer in speech.LANGUAGE_OFFERS.items():
        if other != lang:
            say(gather, other, offer)
    response.append(gather)
    say(response, lang, speech.words(lang, speech.NO_CHOICE))
    return response


def _duty_phone_now() -> str | None:
    team = _team()
    if not team.duty_phone:
        return None
    with state().session_factory() as session:
        if not calendar_for(session, team).is_open(utcnow()):
            return None
        return team.duty_phone


@bp.route("/voice", methods=["POST"])
def voice() -> ResponseReturnValue:
    forget_at_twilio_later()
    teams = _menu_teams()
    if teams:
        return twiml(_region_menu(VoiceResponse(), speech.DEFAULT_LANGUAGE, teams, tries=0))
    return twiml(_answer(speech.DEFAULT_LANGUAGE))


def _answer(lang: str) -> VoiceResponse:
    """The team's own answer: put through to its duty phone in its hours,
    else its menu."""
    response = VoiceResponse()
    duty_phone = _duty_phone_now()
    if duty_phone is None:
        return _menu(response, lang)
    say(response, lang, speech.words(lang, speech.PUTTING_THROUGH))
    dial = response.dial(
        action=_url(
            "telephony.dial_status", lang=None if lang == speech.DEFAULT_LANGUAGE else lang
        ),
        method="POST",
        timeout=DIAL_TIMEOUT_SECONDS,
        # The duty phone sees the number the caller rang.
        caller_id=_team().hotline_number or twilio().number,
        answer_on_bridge=True,
    )
    dial.number(duty_phone, url=url_for("telephony.screen"), method="POST")
    return response


def _menu_teams() -> list[PublicTeam]:
    """The teams the install-wide number's menu offers, or none when it
    plays no menu: a call to a team's own number, a step after the choice,
    fewer than two teams with their own number, or more than the keypad
    holds (then the default team answers, as with one team)."""
    if not install_number_called() or g.get("team_ref") is not None:
        return []
    with state().session_factory() as session:
        teams = teams_with_hotline_numbers(session)
    if len(teams) < 2 or len(teams) > MAX_MENU_TEAMS:
        return []
    return teams


def _region_menu(
    response: VoiceResponse, lang: str, teams: list[PublicTeam], tries: int
) -> VoiceResponse:
    """112 first, then one key per team, 0 for "I don't know", then the
    other languages. No key: the default team."""
    action = url_for("telephony.region", lang=lang, tries=str(tries))
    gather = Gather(num_digits=1, action=action, method="POST", timeout=MENU_TIMEOUT_SECONDS)
    say(
        gather,
        lang,
        speech.words(lang, speech.EMERGENCY),
        speech.words(lang, speech.WELCOME),
        *(
            speech.words(lang, speech.REGION_CHOICE, key=str(key), team=team.name)
            for key, team in enumerate(teams, start=1)
        ),
        speech.words(lang, speech.REGION_DONT_KNOW),
    )
    for other, offer in speech.LANGUAGE_OFFERS.items():
        if other != lang:
            say(gather, other, offer)
    response.append(gather)
    response.redirect(action, method="POST")  # no key: Twilio posts no Digits
    return response


@bp.route("/region", methods=["POST"])
def region() -> ResponseReturnValue:
    """The caller's key in the install-wide number's menu: a team's key
    goes on to that team's answer (its choice locked in every later URL),
    0 or no key to the default team's. Another key repeats the menu once,
    then the default team answers. Nothing of the choice is kept but the
    team a contact made afterwards belongs to."""
    lang = _lang()
    tries = request.args.get("tries", "")
    if tries not in {str(n) for n in range(MENU_RETRIES + 1)}:
        abort(400)
    teams = _menu_teams()
    choice = request.form.get("Digits", "")
    if choice in speech.LANGUAGE_KEYS and teams:
        return twiml(_region_menu(VoiceResponse(), speech.LANGUAGE_KEYS[choice], teams, int(tries)))
    if choice.isascii() and choice.isdigit() and 1 <= int(choice) <= len(teams):
        chosen = teams[int(choice) - 1]
        g.hotline_team = chosen
        g.team_ref = lock_team_ref(chosen.id)
        return twiml(_answer(lang))
    if choice not in ("", "0") and teams and int(tries) < MENU_RETRIES:
        response = VoiceResponse()
        say(response, lang, speech.words(lang, speech.REGION_NOT_ON_LIST))
        return twiml(_region_menu(response, lang, teams, int(tries) + 1))
    return twiml(_answer(lang))  # the default team (UTVAG_TEAM)


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
    say(gather, lang, speech.words(lang, speech.SCREENING))
    response.append(gather)
    response.hangup()
    return twiml(response)


@bp.route("/screen-answer", methods=["POST"])
def screen_answer() -> ResponseReturnValue:
    """The duty phone pressed a key. 1: note that the caller's call (the
    parent) was taken, and connect; anything else: hang up this leg."""
    response = VoiceResponse()
    if request.form.get("Digits") != "1":
        response.hangup()
        return twiml(response)
    digest = call_sid_digest(state().secrets.receipt_key, sid("ParentCallSid"))
    try:
        with transaction(state().session_factory) as session:
            mark_answered(session, digest)
    except IntegrityError:
        pass  # the same key press reported twice at once: noted already
    log.info("a forwarded hotline call was taken by the duty phone")
    return twiml(response)  # empty: Twilio now connects the two


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
    call_digest = this_call_digest()
    team = _team()
    try:
        with transaction(app_state.session_factory) as session:
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
    digest = this_call_digest()
    with app_state.session_factory() as session:
        taken = was_answered(session, digest)
    if not taken:
        return twiml(_menu(VoiceResponse(), _lang()))
    phone = check_phone(request.form.get("From", ""), app_state.config.call_countries).number
    stored = _store_call_once(
        {"phone": phone or "", "note": ANSWERED_NOTE},
        kind=ContactKind.DEFECTOR,
        wants_callback=False,
        reached=True,
    )
    if stored is not None:
        log.info("contact %s: a hotline call was answered", stored[0])
    return twiml(VoiceResponse())


@bp.route("/menu", methods=["POST"])
def menu() -> ResponseReturnValue:
    lang = _lang()
    response = VoiceResponse()
    choice = request.form.get("Digits", "")
    if choice in speech.LANGUAGE_KEYS:
        return twiml(_menu(response, speech.LANGUAGE_KEYS[choice]))
    if choice == "2":
        return twiml(_answering_machine(response, lang))
    if choice not in ("1", "3"):
        return twiml(_menu(response, lang))
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
        say(gather, lang, speech.words(lang, refused))
        response.append(gather)
        say(response, lang, speech.words(lang, speech.NO_CHOICE))
        return twiml(response)
    stored = _store_call_once(
        {"phone": caller.number, "window": CallbackWindow.ASAP.value},
        kind=ContactKind.RELATIVE if choice == "3" else ContactKind.DEFECTOR,
        wants_callback=True,
        reached=False,
    )
    if stored is None:  # a replay: nothing stored twice, no question, no code
        say(response, lang, speech.words(lang, speech.THANKS), speech.words(lang, speech.GOODBYE))
        return twiml(response)
    log.info("contact %s received on the hotline", stored[0])
    return twiml(_ask_call_from(response, lang, stored[1]))


def _ask_call_from(response: VoiceResponse, lang: str, code: str) -> VoiceResponse:
    """Which number may we call from? The call-back is stored already with
    the number that names nothing: a caller who hangs up now, lets the time
    run out or presses another key keeps it."""
    locked = lock_job_value(twilio().auth_token, code)
    answer_url = _url("telephony.call_from", lang=lang, code=locked)
    gather = Gather(
        num_digits=1, action=answer_url, method="POST", timeout=CALL_FROM_TIMEOUT_SECONDS
    )
    say(gather, lang, speech.words(lang, speech.CALL_FROM_QUESTION))
    response.append(gather)
    response.redirect(answer_url, method="POST")  # no key: Twilio posts no Digits
    return response


@bp.route("/call-from", methods=["POST"])
def call_from() -> ResponseReturnValue:
    """2: the hotline's number; anything else, or nothing: the number that
    names nothing (already stored). The public app may not change a
    contact, so the worker records a choice of the hotline's number."""
    lang = _lang()
    code = _unlocked_code(request.args.get("code", ""))
    chosen = CallFrom.HOTLINE if request.form.get("Digits") == "2" else CallFrom.NEUTRAL
    if chosen is CallFrom.HOTLINE:
        _record_call_from(chosen)
    response = VoiceResponse()
    say(
        response,
        lang,
        speech.words(lang, speech.THANKS),
        speech.words(lang, speech.CALLING_FROM[chosen.value]),
    )
    return twiml(_read_code(response, lang, code))


def _record_call_from(chosen: CallFrom) -> None:
    app_state = state()
    with transaction(app_state.session_factory) as session:
        contact_id = session.scalar(
            select(Contact.id).where(Contact.call_digest == this_call_digest())
        )
        if contact_id is None:
            abort(404)
        entry = outbox.add_job(session, CALL_FROM_JOB, contact_id, chosen.value)
        jobs = claim_for_sending(session, [entry])
    send_after_commit(app_state.session_factory, app_state.redis, jobs)
    log.info("contact %s: the caller chose the hotline's number for the call-back", contact_id)


def _read_code(response: VoiceResponse, lang: str, code: str) -> VoiceResponse:
    """The receipt code, read slowly; 1 reads it again. The code travels to
    the next request locked under the auth token (Twilio sees only that)."""
    locked = lock_job_value(twilio().auth_token, code)
    gather = Gather(
        num_digits=1,
        action=_url("telephony.code_again", lang=lang, code=locked),
        method="POST",
        timeout=CODE_TIMEOUT_SECONDS,
    )
    say(
        gather,
        lang,
        speech.words(lang, speech.YOUR_CODE, code=speech.spelled(code)),
        speech.words(lang, speech.REPEAT_CODE),
    )
    response.append(gather)
    say(response, lang, speech.words(lang, speech.GOODBYE))
    return response


def _unlocked_code(locked: str) -> str:
    """The receipt code a Gather or Record URL carries, locked; 400 if it
    was not locked under this auth token."""
    try:
        return unlock_job_value(twilio().auth_token, locked)
    except DecryptionError:
        abort(400)


@bp.route("/code", methods=["POST"])
def code_again() -> ResponseReturnValue:
    lang = _lang()
    response = VoiceResponse()
    if request.form.get("Digits") != "1":
        say(response, lang, speech.words(lang, speech.GOODBYE))
        return twiml(response)
    return twiml(_read_code(response, lang, _unlocked_code(request.args.get("code", ""))))


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
        locked_code = lock_job_value(twilio().auth_token, stored[1])
    say(response, lang, speech.words(lang, speech.LEAVE_MESSAGE))
    record_message(response, _url("telephony.recorded", lang=lang, code=locked_code))
    return response


@bp.route("/recorded", methods=["POST"])
def recorded() -> ResponseReturnValue:
    """The caller finished (pressed #, or the time ran out): thanks, and the
    receipt code. The audio is not ready yet: Twilio reports it to
    ``recording_status``."""
    lang = _lang()
    response = VoiceResponse()
    say(response, lang, speech.words(lang, speech.MESSAGE_THANKS))
    locked = request.args.get("code")
    if locked is None:
        say(response, lang, speech.words(lang, speech.GOODBYE))
        return twiml(response)
    return twiml(_read_code(response, lang, _unlocked_code(locked)))
