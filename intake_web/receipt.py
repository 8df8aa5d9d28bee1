"""Coming back with the receipt code: find the contact without a scan."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from crypto.codes import RECEIPT_CODE_LENGTH, normalise_code
from crypto.receipts import receipt_digest
from intake_web.forms import ReceiptForm
from intake_web.i18n import require_known_language
from intake_web.state import state
from utvag.repo.contacts import contact_by_receipt

bp = Blueprint("receipt", __name__)

bp.url_value_preprocessor(require_known_language)


@bp.route("/<lang>/receipt", methods=["GET", "POST"])
def receipt(lang: str) -> ResponseReturnValue:
    form = ReceiptForm()
    if form.validate_on_submit():
        canonical = normalise_code(form.code.data or "", RECEIPT_CODE_LENGTH)
        contact = None
        if canonical is not None:
            app_state = state()
            digest = receipt_digest(app_state.secrets.receipt_key, canonical)
            with app_state.session_factory() as session:
                contact = contact_by_receipt(session, digest)
        if contact is not None:
            return render_template("status.html", lang=lang, contact=contact)
        # One neutral answer for a mistyped code and an unknown one.
        form.code.errors = [
            *form.code.errors,
            gettext("We could not find that code. Check it and try again."),
        ]
        return render_template("receipt.html", lang=lang, form=form), 404
    status = 400 if form.is_submitted() else 200
    return render_template("receipt.html", lang=lang, form=form), status
