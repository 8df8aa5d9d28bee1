"""Pending cases: the team's checklist per case and the next step."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from triage import current
from triage.labels import call_error_text
from triage.roles import requires
from triage.state import state
from utvag.db import transaction
from utvag.models import CaseStatus, CheckStatus, Role
from utvag.repo import cases as case_repo
from utvag.repo.calls import CallError

bp = Blueprint("cases", __name__)

NOTE_MAX = 2000


@bp.route("/cases")
@requires(Role.LEAD)
def index() -> ResponseReturnValue:
    with state().session_factory() as db:
        team = current.team(db)
        found = case_repo.cases_for_team(db, team.id)
    return render_template("cases.html", cases=found, zone=current.zone(team))


@bp.route("/cases/<int:case_id>")
@requires(Role.LEAD)
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
        notes = current.open_fields(case.sealed_notes)
        current.record(db, "case_viewed", contact_id=case.contact_id, details={"case": case.id})
    return render_template(
        "case.html",
        case=case,
        checks=checks,
        notes=notes,
        zone=current.zone(team),
        check_statuses=list(CheckStatus),
    )


@bp.route("/cases/<int:case_id>", methods=["POST"])
@requires(Role.LEAD)
def update(case_id: int) -> ResponseReturnValue:
    """Save the checklist, the police meeting and the notes in one go."""
    with transaction(state().session_factory) as db:
        team = current.team(db)
        case = case_repo.case_for_team(db, team.id, case_id)
        if case is None:
            abort(404)
        for check, item in case_repo.checks_for(db, case.id):
            try:
                status = CheckStatus(request.form.get(f"check-{item.id}", check.status))
            except ValueError:
                abort(400)
            note = request.form.get(f"note-{item.id}", "")[:NOTE_MAX]
            sealed = current.seal_note(db, note) if note.strip() else None
            if status.value != check.status or sealed is not None:
                case_repo.update_check(db, case, item.id, status, sealed, current.member())
        meeting = request.form.get("police_meeting_at", "").strip()
        if meeting:
            try:
                local = datetime.fromisoformat(meeting)
            except ValueError:
                flash(gettext("Write the meeting time as year-month-day hours:minutes."))
                return redirect(url_for("cases.show", case_id=case_id))
            case.police_meeting_at = local.replace(tzinfo=current.zone(team))
        elif "police_meeting_at" in request.form:
            case.police_meeting_at = None
        notes = request.form.get("notes", "")[: NOTE_MAX * 5]
        if notes.strip():
            case.sealed_notes = current.seal_note(db, notes)
        current.record(db, "case_updated", contact_id=case.contact_id, details={"case": case.id})
    flash(gettext("Saved."))
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/cases/<int:case_id>/decision", methods=["POST"])
@requires(Role.LEAD)
def decide(case_id: int) -> ResponseReturnValue:
    try:
        status = CaseStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    if status is CaseStatus.PENDING:
        abort(400)
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            case = case_repo.case_for_team(db, team.id, case_id)
            if case is None:
                abort(404)
            case_repo.decide(db, case, status)
            current.record(
                db,
                "case_decided",
                contact_id=case.contact_id,
                details={"case": case.id, "as": status},
            )
    except CallError as error:
        flash(call_error_text(error))
    return redirect(url_for("cases.show", case_id=case_id))
