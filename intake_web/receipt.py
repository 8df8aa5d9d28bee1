"""Coming back with the receipt code: status, replies, and writing again.

The code finds the contact through its keyed hash (no scan) and derives the
reply key that opens staff's replies; nothing about the person is stored to
make this work. Wrong codes get one neutral answer and are rate-limited per
network without storing the network.
"""

from __future__ import annotations

import logging

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session

from crypto.codes import RECEIPT_CODE_LENGTH, normalise_code
from crypto.errors import CryptoError
from crypto.receipts import open_reply, receipt_digest
from intake_web.forms import FollowUpForm, ReceiptForm
from intake_web.i18n import require_known_language
from intake_web.state import state
from utvag.db import transaction
from utvag.dispatch import try_enqueue
from utvag.models import Contact
from utvag.repo.contacts import contact_by_receipt
from utvag.repo.messages import add_follow_up, replies_for
from utvag.repo.teams import active_team_key
from utvag.sealed_fields import seal_fields
from utvag.throttle import Purpose
from web_common.throttle import count, over_limit

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
    form.code.errors = [gettext("Too many tries. Wait an hour and try again.")]
    return render_template("receipt.html", lang=lang, form=form), 429


def _not_found(lang: str, form: ReceiptForm) -> ResponseReturnValue:
    # One neutral answer for a mistyped code and an unknown one.
    count(state().session_factory, Purpose.RECEIPT_LOOKUP)
    form.code.errors = [gettext("We could not find that code. Check it and try again.")]
    return render_template("receipt.html", lang=lang, form=form), 404


def _status_page(
    lang: str,
    session: Session,
    contact: Contact,
    canonical: str,
    follow_up: FollowUpForm,
    sent: bool = False,
) -> str:
    follow_up.code.data = canonical
    return render_template(
        "status.html",
        lang=lang,
        contact=contact,
        replies=_replies(session, contact, canonical),
        form=follow_up,
        sent=sent,
    )


@bp.route("/<lang>/receipt", methods=["GET", "POST"])
def receipt(lang: str) -> ResponseReturnValue:
    form = ReceiptForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("receipt.html", lang=lang, form=form), status
    app_state = state()
    if over_limit(app_state.session_factory, Purpose.RECEIPT_LOOKUP):
        return _too_many(lang, form)
    with app_state.session_factory() as session:
        found = _find(session, form.code.data or "")
        if found is None:
            return _not_found(lang, form)
        contact, canonical = found
        return _status_page(lang, session, contact, canonical, FollowUpForm(formdata=None))


@bp.route("/<lang>/receipt/message", methods=["POST"])
def follow_up(lang: str) -> ResponseReturnValue:
    """The person writes again; sealed to the team key like the first message."""
    form = FollowUpForm()
    app_state = state()
    code_form = ReceiptForm(formdata=None)
    if over_limit(app_state.session_factory, Purpose.RECEIPT_LOOKUP):
        return _too_many(lang, code_form)
    with transaction(app_state.session_factory) as session:
        found = _find(session, form.code.data or "")
        if found is not None:
            contact, canonical = found
            if not form.validate_on_submit():
                return _status_page(lang, session, contact, canonical, form), 400
            key = active_team_key(session, contact.team_id)
            _message, entry_id = add_follow_up(
                session, contact, seal_fields(key.public_key, {"message": form.message.data or ""})
            )
            page = _status_page(
                lang, session, contact, canonical, FollowUpForm(formdata=None), sent=True
            )
    if found is None:
        # Counted in a unit of work of its own, after the lookup's has ended.
        return _not_found(lang, code_form)
    try_enqueue(app_state.session_factory, app_state.redis, [entry_id])
    log.info("follow-up received for contact %s", contact.id)
    return page
