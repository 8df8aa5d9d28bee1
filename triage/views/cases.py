"""Cases: the list, one case's page, and what coordinators record on it.

Coordinators (samordnare) work a case: the checklist, the intake meeting
with the police, assessments, consent, later meetings, register checks and
notes. The lead's decisions live in ``triage.views.case_decisions``. Everything
anyone writes is sealed to the team key; every opening is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from triage import current
from triage.labels.cases import ASSESSORS, MOTIVATION_LEVELS, THREAT_LEVELS, case_error_text
from triage.roles import has_role, requires
from triage.state import state
from utvag.repo import case_followup, retention
from utvag.repo import cases as case_repo
from utvag.repo.cases import MEETING_ROLES, CaseError, Exceptions
from utvag.repo.defector_funds import applications_for
from utvag.repo.investigations import investigation_for, may_decide
from utvag.repo.outside_referrals import referrals_for_contact
from utvag.repo.staff import members_of
from utvag.store.db import transaction
from utvag.store.models import (
    OUTCOME_CHECK_MONTHS,
    Answer,
    AssessmentKind,
    Case,
    ChecklistKind,
    CheckStatus,
    PartnerMeetingOutcome,
    Role,
)

bp = Blueprint("cases", __name__)

NOTE_MAX = 2000


def local_today() -> date:
    return datetime.now(current.zone_of_member()).date()


def parse_day(field: str) -> date | None:
    """A day typed as year-month-day, or None if empty; a clear error if not a day."""
    text = request.form.get(field, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(
            gettext("Write the day as year-month-day, for example 2026-11-24.")
        ) from None


def chosen_roles() -> list[str]:
    return [role for role in request.form.getlist("roles") if role]


class BadInput(ValueError):
    """Something typed in a case form that cannot be used; the text says why."""


def lead_exceptions(db: Session) -> Exceptions:
    """The reason, typed on the form, for setting an agreement's clock or age
    rule aside, sealed to the team key. Only the lead may give one; without
    it a broken rule is refused."""
    reason = request.form.get("exception_reason", "").strip()[:NOTE_MAX]
    member = current.member()
    if not reason:
        return Exceptions(sealed_reason=None, member=member)
    if not has_role(member.role, Role.LEAD):
        raise BadInput(gettext("Only the programme lead can set the agreement's rule aside."))
    return Exceptions(sealed_reason=current.seal_note(db, reason), member=member)


# What an action tells the audit trail: a word, or named details.
AuditDetails = str | dict[str, object] | None


def _page(case_id: int) -> Response:
    return redirect(url_for("cases.show", case_id=case_id))


def with_case(
    case_id: int, action: Callable[[Session, Case], AuditDetails], audit_action: str
) -> ResponseReturnValue:
    """Run ``action`` on the member's team's case in one transaction: 404 for
    another team's, a Swedish message for a refusal, an audit row when done."""
    message = None
    try:
        with transaction(state().session_factory) as db:
            case = case_repo.case_for_team(db, current.team(db).id, case_id)
            if case is None:
                abort(404)
            details = action(db, case)
            if isinstance(details, str):
                details = {"what": details}
            current.record(
                db,
                audit_action,
                contact_id=case.contact_id,
                details={"case": case.id, **(details or {})},
            )
    except CaseError as error:
        message = case_error_text(error)
    except BadInput as error:
        message = str(error)
    if message:
        flash(message, "error")
    else:
        flash(gettext("Saved."))
    return _page(case_id)


@bp.route("/cases")
@requires(Role.COORDINATOR)
def index() -> ResponseReturnValue:
    with state().session_factory() as db:
        team = current.team(db)
        rows = case_repo.cases_for_team(db, team, local_today())
        names = {member.id: member.username for member in members_of(db, team.id)}
    # The queue's front page links here for the cases late on a clock.
    late = request.args.get("late")
    if late == "register-check":
        rows = [row for row in rows if row.register_check_overdue]
    elif late == "mapping":
        rows = [row for row in rows if row.mapping_overdue]
    else:
        late = None
    return render_template("cases.html", rows=rows, names=names, zone=current.zone(team), late=late)


@bp.route("/cases/<int:case_id>")
@requires(Role.COORDINATOR)
def show(case_id: int) -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        team = current.team(db)
        case = case_repo.case_for_team(db, team.id, case_id)
        if case is None:
            abort(404)
        checks = [
            (check, item, current.open_fields(check.sealed_note))
            for check, item in case_repo.checks_for(db, case.id)
        ]
        records = case_repo.records_for(db, case.id)
        opened: dict[str, list[tuple[Any, dict[str, Any] | None]]] = {
            "assessments": [
                (a, current.open_fields(a.sealed_content)) for a in records.assessments
            ],
            "meetings": [(m, current.open_fields(m.sealed_notes)) for m in records.meetings],
            "register_checks": [
                (r, current.open_fields(r.sealed_note)) for r in records.register_checks
            ],
            "consents": [(c, current.open_fields(c.sealed_content)) for c in records.consents],
        }
        partner_meetings = [
            (m, current.open_fields(m.sealed_notes))
            for m in case_followup.partner_meetings_of(db, case.id)
        ]
        outcome_checks = case_followup.outcome_checks_of(db, case.id)
        kept_longer = [
            (extension, current.open_fields(extension.sealed_reason))
            for extension in retention.extensions_of(db, case.id)
        ]
        in_force = case_repo.consent_in_force(records.consents)
        notes = current.open_fields(case.sealed_notes)
        contact = case_repo.contact_of(db, case)
        members = [m for m in members_of(db, team.id) if m.is_active]
        review = case_repo.needs_review(db, case)
        today = local_today()
        investigation = investigation_for(db, case.id)
        decision_reason = (
            current.open_fields(investigation.sealed_reason) if investigation else None
        )
        funds = [(a, current.open_fields(a.sealed_note)) for a in applications_for(db, case.id)]
        referrals = [
            (r, current.open_fields(r.sealed_note))
            for r in referrals_for_contact(db, case.contact_id)
        ]
        last_check = records.register_checks[0].checked_on if records.register_checks else None
        register_due = case_repo.register_check_due(case, last_check, team)
        exceptions = [
            (exception, current.open_fields(exception.sealed_reason))
            for exception in case_repo.clock_exceptions(db, case.id)
        ]
        current.record(db, "case_viewed", contact_id=case.contact_id, details={"case": case.id})
    return render_template(
        "case.html",
        case=case,
        contact=contact,
        checks=checks,
        records=opened,
        consent_in_force=in_force,
        consent_kind=ChecklistKind.CONSENT.value,
        notes=notes,
        members=members,
        names={member.id: member.username for member in members},
        needs_review=review,
        mapping_overdue=case_repo.mapping_overdue(case, today),
        default_mapping_due=case_repo.default_mapping_due(team, today),
        mapping_window=case_repo.mapping_window(team, case_repo.accepted_on(case, team) or today),
        register_check_due=register_due,
        register_check_overdue=register_due is not None and register_due < today,
        team=team,
        clock_exceptions=exceptions,
        today=today,
        zone=current.zone(team),
        check_statuses=list(CheckStatus),
        meeting_roles=MEETING_ROLES,
        assessment_kinds=list(AssessmentKind),
        partner_meetings=partner_meetings,
        partner_roles=case_followup.PARTNER_ROLES,
        partner_outcomes=list(PartnerMeetingOutcome),
        outcome_checks=outcome_checks,
        outcome_check_months=OUTCOME_CHECK_MONTHS,
        outcome_questions=case_followup.OUTCOME_QUESTIONS,
        answers=list(Answer),
        kept_longer=kept_longer,
        investigation=investigation,
        decision_reason=decision_reason,
        may_decide=may_decide(team, current.member()),
        decider_rule=team.decision_needs_decider,
        funds=funds,
        referrals=referrals,
    )


@bp.route("/cases/<int:case_id>", methods=["POST"])
@requires(Role.COORDINATOR)
def update(case_id: int) -> ResponseReturnValue:
    """The checklist, the intake meeting with the police, the duty-to-report
    step and the notes, saved together."""

    def save(db: Session, case: Case) -> str | None:
        member = current.member()
        for check, item in case_repo.checks_for(db, case.id):
            try:
                status = CheckStatus(request.form.get(f"check-{item.id}", check.status))
            except ValueError:
                abort(400)
            note = request.form.get(f"note-{item.id}", "")[:NOTE_MAX]
            sealed = current.seal_note(db, note) if note.strip() else None
            if status.value != check.status or sealed is not None:
                case_repo.update_check(db, case, item.id, status, sealed, member)
        meeting = request.form.get("police_meeting_at", "").strip()
        try:
            at = (
                datetime.fromisoformat(meeting).replace(tzinfo=current.zone_of_member())
                if meeting
                else None
            )
        except ValueError:
            raise BadInput(
                gettext("Write the meeting time as year-month-day hours:minutes.")
            ) from None
        case_repo.set_intake_meeting(
            case,
            at=at,
            held=request.form.get("police_meeting_held") == "1",
            roles=chosen_roles(),
            today=local_today(),
        )
        case_repo.set_duty_to_report_told(case, parse_day("duty_to_report_told_on"), local_today())
        notes = request.form.get("notes", "")[: NOTE_MAX * 5]
        if notes.strip():
            case.sealed_notes = current.seal_note(db, notes)
        return None

    return with_case(case_id, save, "case_updated")


@bp.route("/cases/<int:case_id>/assessments", methods=["POST"])
@requires(Role.COORDINATOR)
def add_assessment(case_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> str:
        try:
            kind = AssessmentKind(request.form.get("kind", ""))
        except ValueError:
            abort(400)
        levels = THREAT_LEVELS if kind is AssessmentKind.THREAT else MOTIVATION_LEVELS
        level = request.form.get("level", "")
        by = request.form.get("by", "")
        if level not in levels or by not in ASSESSORS:
            raise BadInput(gettext("Choose the level and who made the assessment."))
        day = parse_day("assessed_on") or local_today()
        _key, sealed = current.seal_for_team(
            db, {"level": level, "by": by, "note": request.form.get("note", "")[:NOTE_MAX]}
        )
        case_repo.add_assessment(db, case, kind, day, sealed, current.member(), local_today())
        return kind.value

    return with_case(case_id, save, "case_assessment_added")


@bp.route("/cases/<int:case_id>/meetings", methods=["POST"])
@requires(Role.COORDINATOR)
def add_meeting(case_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> None:
        day = parse_day("held_on")
        if day is None:
            raise BadInput(gettext("Write the day the meeting was held."))
        roles = chosen_roles()
        if not roles:
            raise BadInput(gettext("Choose who took part."))
        sealed = current.seal_note(db, request.form.get("note", "")[: NOTE_MAX * 2])
        case_repo.add_meeting(db, case, day, roles, sealed, current.member(), local_today())

    return with_case(case_id, save, "case_meeting_added")


@bp.route("/cases/<int:case_id>/register-checks", methods=["POST"])
@requires(Role.COORDINATOR)
def add_register_check(case_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> str:
        day = parse_day("checked_on")
        if day is None:
            raise BadInput(gettext("Write the day the registers were checked."))
        outcome = request.form.get("relapse")
        if outcome not in ("0", "1"):
            raise BadInput(gettext("Say whether the check showed a relapse."))
        sealed = current.seal_note(db, request.form.get("note", "")[:NOTE_MAX])
        case_repo.add_register_check(
            db, case, day, outcome == "1", sealed, current.member(), local_today()
        )
        return "relapse" if outcome == "1" else "no relapse"

    return with_case(case_id, save, "case_register_check_added")


@bp.route("/cases/<int:case_id>/consents", methods=["POST"])
@requires(Role.COORDINATOR)
def add_consent(case_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> None:
        day = parse_day("given_on")
        covers = request.form.get("covers", "").strip()[:NOTE_MAX]
        authorities = request.form.get("authorities", "").strip()[:NOTE_MAX]
        if day is None or not covers or not authorities:
            raise BadInput(gettext("Write the day, what the consent covers and which authorities."))
        _key, sealed = current.seal_for_team(db, {"covers": covers, "authorities": authorities})
        case_repo.add_consent(db, case, day, sealed, current.member(), local_today())

    return with_case(case_id, save, "case_consent_given")


@bp.route("/cases/<int:case_id>/consents/<int:consent_id>/withdraw", methods=["POST"])
@requires(Role.COORDINATOR)
def withdraw_consent(case_id: int, consent_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> None:
        day = parse_day("withdrawn_on") or local_today()
        case_repo.withdraw_consent(db, case, consent_id, day, local_today())

    return with_case(case_id, save, "case_consent_withdrawn")


@bp.route("/cases/<int:case_id>/mapping-done", methods=["POST"])
@requires(Role.COORDINATOR)
def mapping_done(case_id: int) -> ResponseReturnValue:
    def save(db: Session, case: Case) -> AuditDetails:
        set_aside = case_repo.mapping_done(
            db,
            case,
            parse_day("done_on") or local_today(),
            local_today(),
            team=current.team(db),
            exceptions=lead_exceptions(db),
        )
        return {"set_aside": set_aside} if set_aside else None

    return with_case(case_id, save, "case_mapping_done")
