"""Coming back with the receipt code: status, replies, and writing again.

The code finds the contact through its keyed hash (no scan) and derives the
reply key that opens staff's replies; nothing about the person is stored to
make this work.

A right code is never refused: it is looked up first, and it proves itself.
Only wrong codes count, per network or Tor circuit (under a ceiling for all
of Tor), without storing either; past the limit a wrong code gets a 429 that
still says plainly that the code was not found, so a person who mistyped in
the middle of a flood of wrong codes is told what happened. What keeps the
codes from being guessed is their 80 bits, not this limit (README, "Under a
flood"). A contact evicted from a full unverified list gets a page that says
we did not keep it, never an error.
"""

from __future__ import annotations

import enum
import logging

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session

from crypto.codes import RECEIPT_CODE_LENGTH, normalise_code
from crypto.errors import CryptoError
from crypto.receipts import open_reply, receipt_digest
from intake_web.effort import spend_presented_proof
from intake_web.forms import FollowUpForm, ReceiptForm, call_from_answer
from intake_web.i18n import require_known_language
from intake_web.refused_token import page_language, typed_for_copying
from intake_web.state import state
from intake_web.teams import path_slug_of, team_info_by_id, team_texts
from intake_web.when import expected_call, office_now
from utvag.calendar.due import CallbackWindow, due_time
from utvag.clock import utcnow
from utvag.jobs.dispatch import claim_for_sending, send_after_commit
from utvag.repo import outbox, throttle
from utvag.repo.contacts import CALL_AGAIN_JOB, contact_by_receipt
from utvag.repo.messages import add_follow_up, replies_for
from utvag.repo.teams import active_team_key, calendar_for
from utvag.repo.throttle import Purpose
from utvag.sealed_fields import seal_fields
from utvag.store.db import transaction
from utvag.store.models import Contact, ContactStatus, Team
from web_common.throttle import client_buckets

bp = Blueprint("receipt", __name__)
bp.url_value_preprocessor(require_known_language)
log = logging.getLogger(__name__)


def _find(session: Session, typed_code: str) -> tuple[Contact, str] | None:
    canonical = normalise_code(typed_code, RECEIPT_CODE_LENGTH)
    if canonical is None:
        return None
    contact = contact_by_receipt(session, receipt_digest(state().secrets.receipt_key, canonical))
    return (contact, canonical) if contact is not None else None


def _replies(session: Session, contact: Contact, canonical: str) -> list[tuple[object, str]]:
    opened: list[tuple[object, str]] = []
    for reply in replies_for(session, contact.id):
        try:
            text = open_reply(canonical, reply.sealed_content).decode()
        except CryptoError:
            continue
        opened.append((reply.created_at, text))
    return opened


def _too_many(lang: str, form: ReceiptForm) -> ResponseReturnValue:
    form.code.errors = [
        gettext(
            "We could not find that code. Check it carefully: a right code always opens."
            " Many wrong codes have come from your network in the last hour, so wait a"
            " little before you try another."
        )
    ]
    return render_template("receipt.html", lang=lang, form=form), 429


def _not_found(lang: str, form: ReceiptForm) -> ResponseReturnValue:
    # One neutral answer for a mistyped code and an unknown one.
    form.code.errors = [gettext("We could not find that code. Check it and try again.")]
    return render_template("receipt.html", lang=lang, form=form), 404


class Lookup(enum.Enum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    TOO_MANY = "too_many"


def _look_up(session: Session, typed_code: str) -> tuple[Lookup, tuple[Contact, str] | None]:
    """Find the contact for a typed code. A right code is never counted or
    refused; a miss counts against its network's (or circuit's) limit,
    unless the request carries a good proof of work."""
    found = _find(session, typed_code)
    if found is not None:
        return Lookup.FOUND, found
    now = utcnow()
    if spend_presented_proof(session, now):
        return Lookup.NOT_FOUND, None
    if throttle.count_and_check(session, Purpose.RECEIPT_LOOKUP, client_buckets(), now):
        return Lookup.TOO_MANY, None
    return Lookup.NOT_FOUND, None


def _not_kept(lang: str, session: Session, contact: Contact) -> ResponseReturnValue:
    """A contact a flood pushed out of the unverified list: said plainly,
    in the person's language, never as an error; the way to write again
    leads to the contact's own team."""
    return render_template(
        "not_kept.html",
        lang=lang,
        info=team_info_by_id(session, contact.team_id, lang),
        contact_team_slug=path_slug_of(session, contact.team_id),
    )


def _status_page(
    lang: str,
    session: Session,
    contact: Contact,
    canonical: str,
    follow_up: FollowUpForm,
    sent: bool = False,
    call_asked: bool = False,
) -> str:
    follow_up.code.data = canonical
    if not contact.wants_callback:
        # No number was given before: "call me on the number I gave before"
        # is not offered (and refused if posted anyway).
        follow_up.call_me.choices = [
            choice
            for choice in follow_up.call_me.choices
            if getattr(choice, "value", None) != "same"
        ]
    team = session.get(Team, contact.team_id)
    open_call = call_asked or (contact.wants_callback and contact.status in ("received", "waiting"))
    due_at = contact.due_at
    calendar = calendar_for(session, team) if team is not None else None
    if call_asked and calendar is not None:
        due_at = due_time(calendar, CallbackWindow.ASAP, utcnow())
    return render_template(
        "status.html",
        lang=lang,
        contact=contact,
        replies=_replies(session, contact, canonical),
        expected_call=expected_call(due_at, team.timezone, lang, utcnow())
        if open_call and team is not None
        else None,
        open_call=open_call,
        office=office_now(calendar, lang, utcnow()) if calendar is not None else None,
        call_asked=call_asked,
        form=follow_up,
        sent=sent,
        team_texts=team_texts(session, contact.team_id, lang),
    )


@bp.route("/<lang>/receipt", methods=["GET", "POST"])
def receipt(lang: str) -> ResponseReturnValue:
    form = ReceiptForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("receipt.html", lang=lang, form=form), status
    with transaction(state().session_factory) as session:
        lookup, found = _look_up(session, form.code.data or "")
        if found is not None:
            contact, canonical = found
            if contact.status == ContactStatus.EVICTED.value:
                return _not_kept(lang, session, contact)
            return _status_page(lang, session, contact, canonical, FollowUpForm(formdata=None))
    if lookup is Lookup.TOO_MANY:
        return _too_many(lang, form)
    return _not_found(lang, form)


CANNOT_CALL_AGAIN = _l(
    "We cannot call you on the number from before: you did not give one then. Choose "
    "\u201con this number\u201d and write it."
)


def _may_call_again(contact: Contact, choice: str) -> bool:
    """A new number always works; "the same number" only if there was one."""
    return choice == "new" or bool(contact.wants_callback)


@bp.route("/<lang>/receipt/message", methods=["POST"])
def follow_up(lang: str) -> ResponseReturnValue:
    """The person writes again; sealed to the team key like the first message."""
    form = FollowUpForm()
    app_state = state()
    with transaction(app_state.session_factory) as session:
        lookup, found = _look_up(session, form.code.data or "")
        if found is not None:
            contact, canonical = found
            if contact.status == ContactStatus.EVICTED.value:
                return _not_kept(lang, session, contact)
            valid = form.validate_on_submit()
            choice = form.call_me.data or "no"
            if valid and choice != "no" and not _may_call_again(contact, choice):
                form.call_me.errors = [*form.call_me.errors, str(CANNOT_CALL_AGAIN)]
                valid = False
            if not valid:
                return _status_page(lang, session, contact, canonical, form), 400
            key = active_team_key(session, contact.team_id)
            fields = {"message": form.message.data or ""}
            if choice == "new":
                fields["phone"] = form.phone.data or ""
            _message, entry = add_follow_up(session, contact, seal_fields(key.public_key, fields))
            entries = [entry]
            if choice != "no":
                # The worker reopens the call: the public app may not change a
                # contact's status (deploy/postgresql/roles.sql).
                call_from = call_from_answer(form.call_from.data)
                entries.append(outbox.add_job(session, CALL_AGAIN_JOB, contact.id, call_from.value))
            jobs = claim_for_sending(session, entries)
            page = _status_page(
                lang,
                session,
                contact,
                canonical,
                FollowUpForm(formdata=None),
                sent=True,
                call_asked=choice != "no",
            )
    if found is None:
        code_form = ReceiptForm(formdata=None)
        return (
            _too_many(lang, code_form) if lookup is Lookup.TOO_MANY else _not_found(lang, code_form)
        )
    send_after_commit(app_state.session_factory, app_state.redis, jobs)
    log.info("follow-up received for contact %s", contact.id)
    return page


@bp.errorhandler(CSRFError)
def token_refused(_error: CSRFError) -> ResponseReturnValue:
    """A missing or wrong token (see refused_token): the code page, empty,
    and for a follow-up what arrived in it, to read and copy. The code that
    came with it is neither looked up nor shown: a forged request could
    carry the forger's own code, to have the person write into their contact."""
    typed = typed_for_copying(FollowUpForm(formdata=None), ("message", "phone"))
    lang = page_language()
    return render_template(
        "receipt.html", lang=lang, form=ReceiptForm(formdata=None), typed=typed
    ), 400
