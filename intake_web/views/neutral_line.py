"""The number that names nothing (``UTVAG_TWILIO_NEUTRAL_NUMBER``).

A person who chose to be called from a number that says nothing about us
gets our call-backs from this number, so this is what their phone's call log
holds afterwards. Whoever rings it back, the person or someone holding their
phone, hears one Swedish sentence that names no one and is asked for a code:
the same words for every caller, whatever number they call from. Caller ID
never unlocks anything; a call from the very number we rang an hour ago
hears exactly the same.

Only the person's receipt code, typed on the keypad (each letter as the
digit it is printed on: ``crypto.codes.keypad_digits``), opens the menu: who
we are, what has happened, to be called again on this number, or to leave a
message. Three wrong codes end the call. Across all calls, more than
``WRONG_CODES_PER_HOUR`` wrong codes in an hour close the door for the rest
of the hour, right codes included: a flood may shut it, never open it, and
the person still has the website and the hotline.

Twilio's URL for the number's incoming calls is ``/telephony/neutral``; a
call whose ``To`` is this number gets the same answer at
``/telephony/voice`` (``intake_web.views.telephony``), so a number pointed at the
wrong URL still names nothing. Every call is deleted at Twilio once it has
ended, like the hotline's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, abort, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Gather, VoiceResponse

from crypto.codes import RECEIPT_CODE_LENGTH
from crypto.errors import DecryptionError
from crypto.job_secrets import lock_job_value, unlock_job_value
from crypto.receipts import keypad_digest
from intake_web import telephony_speech as speech
from intake_web.state import state
from intake_web.twilio_webhooks import (
    forget_at_twilio_later,
    record_message,
    require_twilio_signature,
    require_well_formed_sids,
    say,
    twilio,
    twiml,
)
from utvag.clock import utcnow
from utvag.jobs.dispatch import claim_for_sending, send_after_commit
from utvag.phones import check_phone
from utvag.repo import outbox, throttle
from utvag.repo.contacts import CALL_AGAIN_JOB, contact_by_keypad_digest
from utvag.repo.messages import add_follow_up
from utvag.repo.teams import active_team_key
from utvag.repo.throttle import Bucket, BucketKind, Buckets, Purpose
from utvag.sealed_fields import seal_fields
from utvag.store.db import transaction
from utvag.store.models import Contact, ContactMessage, ContactStatus, MessageDirection

bp = Blueprint("neutral_line", __name__, url_prefix="/telephony/neutral")
bp.before_request(require_twilio_signature)
bp.before_request(require_well_formed_sids)
log = logging.getLogger(__name__)

# The greeting is Swedish for everyone: a language chosen by caller would
# be a difference between callers.
GREETING_LANGUAGE = "sv"
CODE_TIMEOUT_SECONDS = 12
MENU_TIMEOUT_SECONDS = 8
WRONG_CODES_PER_CALL = 3
# Every wrong code on the line counts in one bucket: the line has no
# networks, and caller ID is whatever the caller's carrier says.
LINE_BUCKET = Buckets(Bucket("the-number-that-names-nothing", BucketKind.NETWORK))
WRONG_CODES_PER_HOUR = Purpose.KEYPAD_CODE.hourly_limit

# Sealed for staff with the number (the console speaks Swedish).
CALL_AGAIN_NOTE = "Ringde det neutrala numret, slog in sin kod och bad att bli uppringd igen."
VOICE_MESSAGE_NOTE = (
    "Ringde det neutrala numret, slog in sin kod och valde att lämna ett röstmeddelande."
)
_NEWS_STATUSES = {
    ContactStatus.WAITING.value: speech.NEWS_TRIED_TO_CALL,
    ContactStatus.UNREACHABLE.value: speech.NEWS_TRIED_TO_CALL,
}


@dataclass(frozen=True)
class Unlocked:
    """A contact whose code was typed, as the menu needs it."""

    contact_id: int
    language: str
    news: tuple[str, ...]


def answer_call() -> ResponseReturnValue:
    """Every call to the number starts here (or is sent here by the
    hotline's URL): forgotten at Twilio later, greeted the same way."""
    forget_at_twilio_later()
    return twiml(_ask_for_code(VoiceResponse(), wrong_so_far=0))


@bp.route("", methods=["POST"])
def incoming() -> ResponseReturnValue:
    return answer_call()


def _ask_for_code(response: VoiceResponse, wrong_so_far: int) -> VoiceResponse:
    gather = Gather(
        input="dtmf",
        num_digits=RECEIPT_CODE_LENGTH,
        finish_on_key="#",
        timeout=CODE_TIMEOUT_SECONDS,
        action=url_for("neutral_line.code", wrong=wrong_so_far),
        method="POST",
    )
    say(gather, GREETING_LANGUAGE, speech.words(GREETING_LANGUAGE, speech.NEUTRAL_GREETING))
    response.append(gather)
    response.hangup()
    return response


@bp.route("/code", methods=["POST"])
def code() -> ResponseReturnValue:
    wrong_so_far = _wrong_so_far()
    unlocked = _unlock(request.form.get("Digits", ""))
    if unlocked is not None:
        log.info("contact %s: a code was typed on the neutral number", unlocked.contact_id)
        return twiml(_unlocked_menu(VoiceResponse(), unlocked))
    response = VoiceResponse()
    say(response, GREETING_LANGUAGE, speech.words(GREETING_LANGUAGE, speech.NEUTRAL_WRONG_CODE))
    if wrong_so_far + 1 >= WRONG_CODES_PER_CALL:
        response.hangup()
        return twiml(response)
    return twiml(_ask_for_code(response, wrong_so_far + 1))


def _wrong_so_far() -> int:
    """Wrong codes earlier in this call: our own count, in a URL Twilio
    signs, so the caller cannot reset it (only by calling again)."""
    count = request.args.get("wrong", "")
    if count not in {str(n) for n in range(WRONG_CODES_PER_CALL)}:
        abort(400)
    return int(count)


def _unlock(digits: str) -> Unlocked | None:
    """The contact whose code these digits are, unless the line has had too
    many wrong codes this hour; a wrong code counts."""
    app_state = state()
    now = utcnow()
    with transaction(app_state.session_factory) as session:
        if throttle.over_limit(session, Purpose.KEYPAD_CODE, LINE_BUCKET, now):
            log.info("the neutral number is over its wrong codes for the hour")
            return None
        contact = None
        if len(digits) == RECEIPT_CODE_LENGTH and digits.isascii() and digits.isdigit():
            digest = keypad_digest(app_state.secrets.receipt_key, digits)
            contact = contact_by_keypad_digest(session, digest)
        if contact is None or contact.purged_at is not None:
            throttle.count_one(session, Purpose.KEYPAD_CODE, LINE_BUCKET, now)
            return None
        return Unlocked(contact.id, speech.language_of(contact.language), _news(session, contact))


def _news(session: Session, contact: Contact) -> tuple[str, ...]:
    """What has happened, in a sentence or two, in the person's language."""
    lang = speech.language_of(contact.language)
    news = []
    if contact.status in _NEWS_STATUSES:
        news.append(speech.words(lang, _NEWS_STATUSES[contact.status]))
    elif contact.wants_callback and contact.status == ContactStatus.RECEIVED.value:
        news.append(speech.words(lang, speech.NEWS_WILL_CALL))
    replies = session.scalar(
        select(func.count())
        .select_from(ContactMessage)
        .where(
            ContactMessage.contact_id == contact.id,
            ContactMessage.direction == MessageDirection.TO_PERSON.value,
        )
    )
    if replies:
        news.append(speech.words(lang, speech.NEWS_REPLIED))
    return tuple(news)


def _menu_gather(lang: str, contact_id: int) -> Gather:
    locked = lock_job_value(twilio().auth_token, str(contact_id))
    return Gather(
        num_digits=1,
        action=url_for("neutral_line.menu", lang=lang, ref=locked),
        method="POST",
        timeout=MENU_TIMEOUT_SECONDS,
    )


def _unlocked_menu(response: VoiceResponse, unlocked: Unlocked) -> VoiceResponse:
    """Now, and only now, who we are: then the news and the choices."""
    lang = unlocked.language
    gather = _menu_gather(lang, unlocked.contact_id)
    say(
        gather,
        lang,
        speech.words(lang, speech.WELCOME),
        *unlocked.news,
        speech.words(lang, speech.UNLOCKED_CHOICES),
    )
    response.append(gather)
    say(response, lang, speech.words(lang, speech.GOODBYE))
    return response


@bp.route("/menu", methods=["POST"])
def menu() -> ResponseReturnValue:
    lang = speech.language_of(request.args.get("lang"))
    contact_id = _contact_id()
    choice = request.form.get("Digits", "")
    if choice == "1":
        return twiml(_call_again(lang, contact_id))
    if choice == "2":
        return twiml(_leave_message(lang, contact_id))
    return twiml(_choices_again(lang, contact_id, speech.UNLOCKED_CHOICES))


def _contact_id() -> int:
    """The contact the menu's URL names, locked under the auth token."""
    try:
        return int(unlock_job_value(twilio().auth_token, request.args.get("ref", "")))
    except (DecryptionError, ValueError):
        abort(400)


def _choices_again(lang: str, contact_id: int, sentence: LazyString) -> VoiceResponse:
    response = VoiceResponse()
    gather = _menu_gather(lang, contact_id)
    say(gather, lang, speech.words(lang, sentence))
    response.append(gather)
    say(response, lang, speech.words(lang, speech.GOODBYE))
    return response


def _call_again(lang: str, contact_id: int) -> VoiceResponse:
    """1: a follow-up with this number, sealed, and the contact back in the
    call queue (the worker reopens it), from the number they chose before."""
    phone = check_phone(request.form.get("From", ""), state().config.call_countries).number
    if phone is None:
        return _choices_again(lang, contact_id, speech.UNLOCKED_HIDDEN_NUMBER)
    call_from = _add_follow_up(contact_id, {"message": CALL_AGAIN_NOTE, "phone": phone}, True)
    response = VoiceResponse()
    say(
        response,
        lang,
        speech.words(lang, speech.CALL_AGAIN_THANKS),
        speech.words(lang, speech.CALLING_FROM[call_from]),
        speech.words(lang, speech.GOODBYE),
    )
    log.info("contact %s asked on the neutral number to be called again", contact_id)
    return response


def _leave_message(lang: str, contact_id: int) -> VoiceResponse:
    """2: the answering machine; the recording joins this contact (its id
    locked in the recording's status URL) and a follow-up says so."""
    _add_follow_up(contact_id, {"message": VOICE_MESSAGE_NOTE}, False)
    response = VoiceResponse()
    say(response, lang, speech.words(lang, speech.LEAVE_MESSAGE))
    record_message(
        response,
        url_for("neutral_line.recorded", lang=lang),
        ref=lock_job_value(twilio().auth_token, str(contact_id)),
    )
    log.info("contact %s chose on the neutral number to leave a message", contact_id)
    return response


def _add_follow_up(contact_id: int, fields: dict[str, str], call_again: bool) -> str:
    """Seal ``fields`` to the team as a follow-up from the person (the queue
    shows it as news) and, if asked, reopen the call. Returns the number the
    person chose to be called from."""
    app_state = state()
    with transaction(app_state.session_factory) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            abort(404)
        key = active_team_key(session, contact.team_id)
        _message, entry = add_follow_up(session, contact, seal_fields(key.public_key, fields))
        entries = [entry]
        if call_again:
            entries.append(outbox.add_job(session, CALL_AGAIN_JOB, contact.id))
        jobs = claim_for_sending(session, entries)
        call_from = contact.call_from
    send_after_commit(app_state.session_factory, app_state.redis, jobs)
    return call_from


@bp.route("/recorded", methods=["POST"])
def recorded() -> ResponseReturnValue:
    lang = speech.language_of(request.args.get("lang"))
    response = VoiceResponse()
    say(
        response,
        lang,
        speech.words(lang, speech.MESSAGE_THANKS),
        speech.words(lang, speech.GOODBYE),
    )
    return twiml(response)
