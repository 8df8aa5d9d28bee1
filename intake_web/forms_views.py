"""The two ways in: ask to be called back, or write a message."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from intake_web.forms import CallbackForm, MessageForm, SpamGuardedForm
from intake_web.i18n import require_known_language
from intake_web.sealing import Receipt, store_sealed_contact
from intake_web.state import state
from intake_web.teams import public_team
from utvag import throttle
from utvag.db import transaction, utcnow
from utvag.dispatch import try_enqueue
from utvag.due import CallbackWindow
from utvag.models import ContactChannel, ContactKind
from utvag.throttle import Purpose
from web_common.throttle import client_bucket, over_limit

bp = Blueprint("forms", __name__)
bp.url_value_preprocessor(require_known_language)
log = logging.getLogger(__name__)


def _store(fields: dict[str, str], **clear: object) -> Receipt | None:
    """Seal and store in one transaction, then hand the jobs to Redis.

    Returns None when the site has no team yet (nothing is stored).
    """
    app_state = state()
    with transaction(app_state.session_factory) as session:
        team = public_team(session)
        if team is None:
            return None
        receipt = store_sealed_contact(
            session,
            team,
            app_state.secrets.receipt_key,
            fields=fields,
            channel=ContactChannel.WEB.value,
            **clear,  # type: ignore[arg-type]
        )
        throttle.count_one(session, Purpose.SUBMISSION, client_bucket(), utcnow())
    try_enqueue(app_state.session_factory, app_state.redis, receipt.outbox_ids)
    log.info("contact %s received on the web", receipt.contact.id)
    return receipt


def _refusal(form: SpamGuardedForm) -> str | None:
    """Why a valid-looking form is still not stored: a filled trap field, or
    too many submissions from one network. Said plainly in the page language."""
    if form.website.data:
        return gettext("Leave the last field empty; it is there to stop spam robots.")
    if over_limit(state().session_factory, Purpose.SUBMISSION):
        return gettext(
            "Too many messages have come from your network in the last hour. Wait a while,"
            " or call us."
        )
    return None


def _render_form(
    template: str, lang: str, form: SpamGuardedForm, refusal: str | None = None
) -> ResponseReturnValue:
    if refusal:
        form.form_errors.append(refusal)
    status = 200
    if form.is_submitted():
        status = 429 if refusal and not form.website.data else 400
    return render_template(template, lang=lang, form=form), status


def _kind_from_query(form: MessageForm | CallbackForm) -> None:
    """The relatives' page links here with ?for=relative to choose for them."""
    if request.method == "GET" and request.args.get("for") == ContactKind.RELATIVE.value:
        form.kind.data = ContactKind.RELATIVE.value


def _not_ready(lang: str) -> ResponseReturnValue:
    return render_template("not_ready.html", lang=lang), 503


@bp.route("/<lang>/message", methods=["GET", "POST"])
def message(lang: str) -> ResponseReturnValue:
    form = MessageForm()
    _kind_from_query(form)
    if form.validate_on_submit():
        refusal = _refusal(form)
        if refusal:
            return _render_form("message.html", lang, form, refusal)
        receipt = _store(
            {"message": form.message.data or ""},
            kind=form.kind.data,
            wants_callback=False,
            callback_window=None,
        )
        if receipt is None:
            return _not_ready(lang)
        return render_template("sent.html", lang=lang, receipt=receipt, callback=False)
    return _render_form("message.html", lang, form)


@bp.route("/<lang>/callback", methods=["GET", "POST"])
def callback(lang: str) -> ResponseReturnValue:
    form = CallbackForm()
    _kind_from_query(form)
    if form.validate_on_submit():
        refusal = _refusal(form)
        if refusal:
            return _render_form("callback.html", lang, form, refusal)
        window = CallbackWindow(form.window.data or CallbackWindow.ASAP.value)
        receipt = _store(
            {
                "phone": form.phone.data or "",
                "name": form.name.data or "",
                "note": form.note.data or "",
                "window": window.value,
            },
            kind=form.kind.data,
            wants_callback=True,
            callback_window=window,
            callback_day=form.day.data if window is CallbackWindow.DAY else None,
        )
        if receipt is None:
            return _not_ready(lang)
        return render_template("sent.html", lang=lang, receipt=receipt, callback=True)
    return _render_form("callback.html", lang, form)
