"""The social services' investigation and decision on a case, and who may
record the decision.

Coordinators open the investigation. The decision is recorded by a member
holding the decider right where the team's rule asks for it (Eskilstuna,
Göteborg: social services decide), else by the programme lead; it asks
first on a page of its own. The admin gives and takes the right, and turns
the team's rule on or off. Every step is audited; the reason is sealed.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session

from triage import current
from triage.confirm import ask, confirmed
from triage.labels.decisions import DECISION_OUTCOME_NAMES, decision_error_text
from triage.roles import requires
from triage.state import state
from triage.views.cases import NOTE_MAX, BadInput, local_today, parse_day, with_case
from utvag.repo import cases as case_repo
from utvag.repo import investigations
from utvag.repo.investigations import DecisionError
from utvag.store.db import transaction
from utvag.store.models import Case, DecisionOutcome, Role, StaffMember

bp = Blueprint("case_investigation", __name__)


@bp.route("/cases/<int:case_id>/investigation", methods=["POST"])
@requires(Role.COORDINATOR)
def open_investigation(case_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> None:
        opener = request.form.get("opened_by", "")
        opened_on = parse_day("opened_on")
        if not opener.isdigit() or opened_on is None:
            raise BadInput(gettext("Write the day the investigation was opened, and by whom."))
        try:
            investigations.open_investigation(
                db,
                current.team(db),
                case,
                opened_on=opened_on,
                opened_by_id=int(opener),
                today=local_today(),
            )
        except DecisionError as error:
            raise BadInput(decision_error_text(error)) from None

    return with_case(case_id, save, "case_investigation_opened")


def _outcome() -> DecisionOutcome | None:
    try:
        return DecisionOutcome(request.form.get("outcome", ""))
    except ValueError:
        return None


@bp.route("/cases/<int:case_id>/decision", methods=["POST"])
@requires(Role.COORDINATOR)
def decide(case_id: int) -> ResponseReturnValue:
    """The decision: granted, or refused with a reason (which ends the case)."""
    outcome = _outcome()
    if not confirmed():
        with state().session_factory() as db:
            team = current.team(db)
            if case_repo.case_for_team(db, team.id, case_id) is None:
                abort(404)
            allowed = investigations.may_decide(team, current.member())
        if outcome is None or not allowed:
            flash(
                gettext("Choose the decision: granted or refused.")
                if allowed
                else decision_error_text(
                    DecisionError(
                        investigations.DecisionProblem.NOT_A_DECIDER
                        if team.decision_needs_decider
                        else investigations.DecisionProblem.NOT_A_LEAD
                    )
                ),
                "error",
            )
            return redirect(url_for("cases.show", case_id=case_id))
        consequences = [
            gettext("Decision: %(outcome)s.", outcome=DECISION_OUTCOME_NAMES[outcome.value]),
            gettext("You are recorded as the one who decided."),
        ]
        if outcome is DecisionOutcome.REFUSED:
            consequences.append(
                gettext(
                    "The case ends as not accepted. What was written is deleted when the "
                    "team's retention period has passed."
                )
            )
        else:
            consequences.append(
                gettext("The programme lead can then accept the case and start the mapping.")
            )
        return ask(
            question=gettext("Record the decision on case %(id)s?", id=case_id),
            consequences=[*consequences, gettext("This cannot be undone.")],
            yes=gettext("Yes, record the decision"),
            back=url_for("cases.show", case_id=case_id),
            carry=("outcome", "decided_on", "reason"),
        )

    def save(db: Session, case: Case) -> str:
        if outcome is None:
            raise BadInput(gettext("Choose the decision: granted or refused."))
        decided_on = parse_day("decided_on")
        if decided_on is None:
            raise BadInput(gettext("Write the day of the decision."))
        reason = request.form.get("reason", "")[: NOTE_MAX * 2]
        try:
            investigations.record_decision(
                db,
                current.team(db),
                case,
                current.member(),
                outcome=outcome,
                decided_on=decided_on,
                sealed_reason=current.seal_note(db, reason),
                today=local_today(),
            )
        except DecisionError as error:
            raise BadInput(decision_error_text(error)) from None
        return outcome.value

    return with_case(case_id, save, "case_decision_recorded")


def _members_page() -> ResponseReturnValue:
    return redirect(url_for("accounts.members"))


@bp.route("/admin/members/<int:member_id>/decider", methods=["POST"])
@requires(Role.ADMIN)
def set_decider(member_id: int) -> ResponseReturnValue:
    """Give or take the right to record the social services' decision."""
    decider = request.form.get("decider") == "1"
    with transaction(state().session_factory) as db:
        member = db.get(StaffMember, member_id)
        if member is None or member.team_id != current.member().team_id:
            abort(404)
        if member.is_decider != decider:
            member.is_decider = decider
            current.record(
                db,
                "decider_granted" if decider else "decider_revoked",
                details={"member": member.id},
            )
    flash(gettext("Saved."))
    return _members_page()


@bp.route("/admin/decider-rule", methods=["POST"])
@requires(Role.ADMIN)
def set_decider_rule() -> ResponseReturnValue:
    """Whether a case is accepted only after a decision by a decider."""
    needed = request.form.get("needed") == "1"
    with transaction(state().session_factory) as db:
        team = current.team(db)
        if team.decision_needs_decider != needed:
            team.decision_needs_decider = needed
            current.record(db, "decider_rule_changed", details={"needed": needed})
    flash(gettext("Saved."))
    return _members_page()
