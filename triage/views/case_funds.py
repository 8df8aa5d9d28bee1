"""Avhopparmedel on a case: the application (day, amount, a sealed note) and
the police's answer (granted with the amount, or refused). Recorded by the
programme lead, who coordinates the application (Eskilstuna's agreement);
every step audited."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session

from triage import current
from triage.labels.funds import funds_error_text
from triage.roles import requires
from triage.views.cases import NOTE_MAX, BadInput, local_today, parse_day, with_case
from utvag.repo import defector_funds
from utvag.repo.defector_funds import FundsError
from utvag.store.models import Case, FundsOutcome, Role

bp = Blueprint("case_funds", __name__)


@bp.route("/cases/<int:case_id>/funds", methods=["POST"])
@requires(Role.LEAD)
def apply(case_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> None:
        applied_on = parse_day("applied_on")
        if applied_on is None:
            raise BadInput(gettext("Write the day the application was made."))
        try:
            amount = defector_funds.parse_kronor(request.form.get("amount", ""))
            defector_funds.apply(
                db,
                case,
                current.member(),
                applied_on=applied_on,
                amount_kr=amount,
                sealed_note=current.seal_note(db, request.form.get("note", "")[:NOTE_MAX]),
                today=local_today(),
            )
        except FundsError as error:
            raise BadInput(funds_error_text(error)) from None

    return with_case(case_id, save, "case_funds_applied")


@bp.route("/cases/<int:case_id>/funds/<int:application_id>/answer", methods=["POST"])
@requires(Role.LEAD)
def answer(case_id: int, application_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> str:
        try:
            outcome = FundsOutcome(request.form.get("outcome", ""))
        except ValueError:
            raise BadInput(gettext("Choose the answer: granted or refused.")) from None
        decided_on = parse_day("decided_on")
        if decided_on is None:
            raise BadInput(gettext("Write the day of the answer."))
        try:
            amount = (
                defector_funds.parse_kronor(request.form.get("amount", ""))
                if outcome is FundsOutcome.GRANTED
                else None
            )
            defector_funds.decide(
                db,
                case,
                application_id,
                current.member(),
                outcome=outcome,
                decided_on=decided_on,
                amount_granted_kr=amount,
                today=local_today(),
            )
        except FundsError as error:
            raise BadInput(funds_error_text(error)) from None
        return outcome.value

    return with_case(case_id, save, "case_funds_answered")
