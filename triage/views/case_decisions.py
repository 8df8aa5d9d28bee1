"""What only the programme lead decides about a case: accept (with a contact
person and the day the mapping should be done), decline, close (with a
reason and a day), and confirm a case whose criterion turned to "no" after
acceptance. Each asks first on a page of its own; nothing is done by a
single click.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session

from triage import current
from triage.roles import requires
from triage.state import state
from triage.views.cases import (
    AuditDetails,
    BadInput,
    lead_exceptions,
    local_today,
    parse_day,
    with_case,
)
from utvag.repo import cases as case_repo
from utvag.repo.staff import members_of
from utvag.store.models import Case, CloseReason, Role

bp = Blueprint("case_decisions", __name__)


def _confirmed() -> bool:
    return request.form.get("confirm") == "yes"


def _ask(case_id: int, decision: str) -> ResponseReturnValue:
    """The confirmation page, repeating what was chosen."""
    with state().session_factory() as db:
        team = current.team(db)
        case = case_repo.case_for_team(db, team.id, case_id)
        if case is None:
            abort(404)
        names = {member.id: member.username for member in members_of(db, team.id)}
    return render_template(
        "case_confirm.html",
        case=case,
        decision=decision,
        form=request.form,
        names=names,
    )


@bp.route("/cases/<int:case_id>/accept", methods=["POST"])
@requires(Role.LEAD)
def accept(case_id: int) -> ResponseReturnValue:
    if not _confirmed():
        return _ask(case_id, "accept")

    def save(db: Session, case: Case) -> AuditDetails:
        person = request.form.get("contact_person", "")
        if not person.isdigit():
            raise BadInput(gettext("Choose a contact person from the team."))
        due = parse_day("mapping_due_on")
        if due is None:
            raise BadInput(gettext("Write the day the mapping should be done."))
        set_aside = case_repo.accept(
            db,
            case,
            contact_person_id=int(person),
            mapping_due_on=due,
            team=current.team(db),
            today=local_today(),
            exceptions=lead_exceptions(db),
        )
        return {"what": "accepted", **({"set_aside": set_aside} if set_aside else {})}

    return with_case(case_id, save, "case_decided")


@bp.route("/cases/<int:case_id>/decline", methods=["POST"])
@requires(Role.LEAD)
def decline(case_id: int) -> ResponseReturnValue:
    if not _confirmed():
        return _ask(case_id, "decline")

    def save(db: Session, case: Case) -> str:
        case_repo.decline(db, case)
        return "declined"

    return with_case(case_id, save, "case_decided")


@bp.route("/cases/<int:case_id>/close", methods=["POST"])
@requires(Role.LEAD)
def close(case_id: int) -> ResponseReturnValue:
    try:
        reason = CloseReason(request.form.get("reason", ""))
    except ValueError:
        reason = None
    if not _confirmed():
        return _ask(case_id, "close")

    def save(db: Session, case: Case) -> str:
        if reason is None:
            raise BadInput(gettext("Choose why the case ends."))
        closed_on = parse_day("closed_on") or local_today()
        case_repo.close(db, case, reason, closed_on, local_today())
        return reason.value

    return with_case(case_id, save, "case_closed")


@bp.route("/cases/<int:case_id>/confirm-criteria", methods=["POST"])
@requires(Role.LEAD)
def confirm_criteria(case_id: int) -> ResponseReturnValue:
    if not _confirmed():
        return _ask(case_id, "confirm_criteria")

    def save(db: Session, case: Case) -> None:
        case_repo.confirm_criteria(db, case)

    return with_case(case_id, save, "case_criteria_confirmed")


@bp.route("/cases/<int:case_id>/mapping", methods=["POST"])
@requires(Role.LEAD)
def set_mapping(case_id: int) -> ResponseReturnValue:
    """Another contact person, or another day for the mapping to be done."""

    def save(db: Session, case: Case) -> AuditDetails:
        person = request.form.get("contact_person", "")
        due = parse_day("mapping_due_on")
        if not person.isdigit() or due is None:
            raise BadInput(gettext("Choose a contact person and the day the mapping is due."))
        set_aside = case_repo.set_mapping(
            db,
            case,
            contact_person_id=int(person),
            mapping_due_on=due,
            team=current.team(db),
            exceptions=lead_exceptions(db),
        )
        return {"set_aside": set_aside} if set_aside else None

    return with_case(case_id, save, "case_mapping_changed")
