"""Referring a person, with their consent, to a service outside the programme
(hemmaplansvård, SIG, victim support, another municipality's programme):
from a contact, which it closes, or from a case, which it ends while pending
(the lead's step) and is recorded on while accepted. Asks first; audited;
the note sealed; nothing stored without the person's consent."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from triage import current
from triage.confirm import ask, confirmed
from triage.labels.referrals import REFERRAL_KIND_NAMES, referral_error_text
from triage.roles import has_role, requires
from triage.state import state
from triage.views.cases import NOTE_MAX, BadInput, local_today, parse_day, with_case
from utvag.repo import cases as case_repo
from utvag.repo import outside_referrals
from utvag.repo.calls import NoSuchContact
from utvag.repo.contacts import contact_for_team
from utvag.repo.outside_referrals import ReferralError
from utvag.store.db import transaction
from utvag.store.models import Case, ReferralKind, Role

bp = Blueprint("referrals_out", __name__)

CARRIED = ("kind", "referred_on", "consent", "note")


def _kind() -> ReferralKind | None:
    try:
        return ReferralKind(request.form.get("kind", ""))
    except ValueError:
        return None


def _form_refusal() -> str | None:
    """What is wrong with the form before asking, in Swedish; None if nothing."""
    if _kind() is None:
        return gettext("Choose where the person is referred.")
    if not _consent():
        return str(referral_error_text(ReferralError(outside_referrals.ReferralProblem.NO_CONSENT)))
    return None


def _day() -> date:
    day = parse_day("referred_on")
    if day is None:
        raise BadInput(gettext("Write the day of the referral."))
    return day


def _chosen_kind() -> ReferralKind:
    kind = _kind()
    if kind is None:
        raise BadInput(gettext("Choose where the person is referred."))
    return kind


def _consent() -> bool:
    return request.form.get("consent") == "yes"


def _ask(back: str, ends: str) -> ResponseReturnValue:
    kind = _chosen_kind()
    return ask(
        question=gettext("Refer the person to %(kind)s?", kind=REFERRAL_KIND_NAMES[kind.value]),
        consequences=[ends, gettext("The person has agreed to the referral.")],
        yes=gettext("Yes, record the referral"),
        back=back,
        carry=CARRIED,
    )


@bp.route("/contacts/<int:contact_id>/refer-out", methods=["POST"])
@requires(Role.COORDINATOR)
def refer_contact(contact_id: int) -> ResponseReturnValue:
    back = url_for("contacts.show", contact_id=contact_id)
    with state().session_factory() as db:
        if contact_for_team(db, current.team(db).id, contact_id) is None:
            abort(404)
    refusal = _form_refusal()
    if refusal is None and not confirmed():
        return _ask(back, gettext("The contact closes as referred on."))
    try:
        if refusal is not None:
            raise BadInput(refusal)
        with transaction(state().session_factory) as db:
            kind = _chosen_kind()
            try:
                outside_referrals.refer_contact(
                    db,
                    current.team(db),
                    contact_id,
                    current.member(),
                    kind=kind,
                    referred_on=_day(),
                    consent=_consent(),
                    sealed_note=current.seal_note(db, request.form.get("note", "")[:NOTE_MAX]),
                    today=local_today(),
                )
            except ReferralError as error:
                raise BadInput(referral_error_text(error)) from None
            current.record(db, "referred_out", contact_id=contact_id, details={"what": kind.value})
    except NoSuchContact:
        abort(404)
    except BadInput as error:
        flash(str(error), "error")
        return _back(back)
    flash(gettext("Saved."))
    return _back(back)


def _back(path: str) -> Response:
    return redirect(path)


@bp.route("/cases/<int:case_id>/refer-out", methods=["POST"])
@requires(Role.COORDINATOR)
def refer_case(case_id: int) -> ResponseReturnValue:
    back = url_for("cases.show", case_id=case_id)
    if not confirmed():
        with state().session_factory() as db:
            case = case_repo.case_for_team(db, current.team(db).id, case_id)
            if case is None:
                abort(404)
            pending = case.status == "pending"
        refusal = _form_refusal()
        if refusal is not None:
            flash(refusal, "error")
            return _back(back)
        return _ask(
            back,
            gettext("The pending case ends as referred on.")
            if pending
            else gettext("The case goes on; the referral is recorded on it."),
        )

    def save(db: Session, case: Case) -> str:
        kind = _chosen_kind()
        try:
            outside_referrals.refer_case(
                db,
                current.team(db),
                case,
                current.member(),
                kind=kind,
                referred_on=_day(),
                consent=_consent(),
                sealed_note=current.seal_note(db, request.form.get("note", "")[:NOTE_MAX]),
                today=local_today(),
                may_end_a_case=has_role(current.member().role, Role.LEAD),
            )
        except ReferralError as error:
            raise BadInput(referral_error_text(error)) from None
        return kind.value

    return with_case(case_id, save, "referred_out")
