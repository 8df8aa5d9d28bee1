"""The two ways in: ask to be called back, or write a message."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from intake_web.forms import CallbackForm, MessageForm
from intake_web.i18n import require_known_language
from intake_web.sealing import Receipt, store_sealed_contact
from intake_web.state import state
from intake_web.teams import public_team
from utvag.db import transaction
from utvag.dispatch import try_enqueue
from utvag.due import CallbackWindow
from utvag.models import ContactChannel

bp = Blueprint("forms", __name__)
log = logging.getLogger(__name__)

bp.url_value_preprocessor(require_known_language)


def _store(form: FlaskForm, fields: dict[str, str], **clear: object) -> Receipt | None:
    """Seal and store in one transaction, then hand the job to Redis.

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
    try_enqueue(app_state.session_factory, app_state.redis, receipt.outbox_ids)
    log.info("contact %s received on the web", receipt.contact.id)
    return receipt


def _not_ready(lang: str) -> ResponseReturnValue:
    return render_template("not_ready.html", lang=lang), 503


@bp.route("/<lang>/message", methods=["GET", "POST"])
def message(lang: str) -> ResponseReturnValue:
    form = MessageForm()
    if form.validate_on_submit():
        receipt = _store(
            form,
            {"message": form.message.data or ""},
            kind=form.kind.data,
            wants_callback=False,
            callback_window=None,
        )
        if receipt is None:
            return _not_ready(lang)
        return render_template("sent.html", lang=lang, receipt=receipt, callback=False)
    status = 400 if form.is_submitted() else 200
    return render_template("message.html", lang=lang, form=form), status


@bp.route("/<lang>/callback", methods=["GET", "POST"])
def callback(lang: str) -> ResponseReturnValue:
    form = CallbackForm()
    if form.validate_on_submit():
        window = CallbackWindow(form.window.data or CallbackWindow.ASAP.value)
        receipt = _store(
            form,
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
    status = 400 if form.is_submitted() else 200
    return render_template("callback.html", lang=lang, form=form), status
