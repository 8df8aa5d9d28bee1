"""Follow-up after the case, in the console: partner meetings on a case,
outcome checks 6, 12 and 24 months after it closed, and the list of checks
that are due (case numbers and days only: the queue's front page shows the
counts and links here). What is typed is sealed to the team key; every
record is audited."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session

from triage import current
from triage.labels.followup import followup_error_text
from triage.roles import requires
from triage.state import state
from triage.views.cases import NOTE_MAX, BadInput, local_today, parse_day, with_case
from utvag.repo import case_followup
from utvag.repo.case_followup import OUTCOME_QUESTIONS, FollowupError
from utvag.store.models import OUTCOME_CHECK_MONTHS, Answer, Case, PartnerMeetingOutcome, Role

bp = Blueprint("case_followup", __name__)


def _refused(error: FollowupError) -> BadInput:
    return BadInput(followup_error_text(error))


@bp.route("/cases/<int:case_id>/partner-meetings", methods=["POST"])
@requires(Role.COORDINATOR)
def add_partner_meeting(case_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> str:
        day = parse_day("held_on")
        if day is None:
            raise BadInput(gettext("Write the day the meeting was held."))
        try:
            outcome = PartnerMeetingOutcome(request.form.get("outcome", ""))
        except ValueError:
            raise BadInput(gettext("Choose what the meeting came to.")) from None
        note = request.form.get("note", "")[: NOTE_MAX * 2]
        sealed = current.seal_note(db, note) if note.strip() else None
        try:
            case_followup.add_partner_meeting(
                db,
                case,
                held_on=day,
                roles=[role for role in request.form.getlist("partner_roles") if role],
                outcome=outcome,
                sealed_notes=sealed,
                member=current.member(),
                today=local_today(),
            )
        except FollowupError as error:
            raise _refused(error) from None
        return outcome.value

    return with_case(case_id, save, "case_partner_meeting_added")


@bp.route("/cases/<int:case_id>/outcome-checks", methods=["POST"])
@requires(Role.COORDINATOR)
def add_outcome_check(case_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> str:
        try:
            months = int(request.form.get("months", ""))
        except ValueError:
            raise _refused(FollowupError(case_followup.FollowupProblem.NO_SUCH_CHECK)) from None
        day = parse_day("checked_on")
        if day is None:
            raise BadInput(gettext("Write the day of the outcome check."))
        try:
            answers = {
                question: Answer(request.form.get(question, "")) for question in OUTCOME_QUESTIONS
            }
        except ValueError:
            raise BadInput(gettext("Answer every question: yes, no or unknown.")) from None
        try:
            case_followup.add_outcome_check(
                db,
                case,
                months=months,
                checked_on=day,
                answers=answers,
                member=current.member(),
                today=local_today(),
            )
        except FollowupError as error:
            raise _refused(error) from None
        return f"{months} mån"

    return with_case(case_id, save, "case_outcome_checked")


@bp.route("/followups")
@requires(Role.COORDINATOR)
def due() -> ResponseReturnValue:
    """The outcome checks that are due: case number, period, due day."""
    with state().session_factory() as db:
        team = current.team(db)
        checks = case_followup.due_checks(db, team.id, local_today())
    return render_template("followups_due.html", checks=checks, periods=OUTCOME_CHECK_MONTHS)
