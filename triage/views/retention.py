"""Retention as the lead and an auditor follow it: which cases the purge will
reach within a week, a reasoned "keep longer" for a case still being worked
(the reason sealed, the decision audited), and the content-free record of
everything the purge has deleted."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from triage import current
from triage.labels.retention import (
    PURGE_RULE_NAMES,
    PURGED_KIND_NAMES,
    retention_error_text,
)
from triage.roles import requires
from triage.state import state
from utvag.clock import utcnow
from utvag.repo import retention
from utvag.repo.cases import case_for_team
from utvag.store.db import transaction
from utvag.store.models import Role

bp = Blueprint("retention", __name__)

REASON_MAX = 2000


@bp.route("/retention")
@requires(Role.LEAD)
def page() -> ResponseReturnValue:
    with state().session_factory() as db:
        team = current.team(db)
        zone = current.zone(team)
        going = retention.cases_going(db, team, utcnow())
        records = retention.records_for(db, team.id)
        today = datetime.now(zone).date()
    return render_template(
        "retention.html",
        team=team,
        going=going,
        records=records,
        today=today,
        warn_days=retention.WARN_DAYS,
        kind_names=PURGED_KIND_NAMES,
        rule_names=PURGE_RULE_NAMES,
    )


@bp.route("/retention/cases/<int:case_id>/keep", methods=["POST"])
@requires(Role.LEAD)
def keep_longer(case_id: int) -> ResponseReturnValue:
    message = None
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            case = case_for_team(db, team.id, case_id)
            if case is None:
                abort(404)
            today = datetime.now(current.zone(team)).date()
            try:
                until = datetime.strptime(request.form.get("keep_until", "").strip(), "%Y-%m-%d")
            except ValueError:
                raise _Refused(
                    gettext("Write the day as year-month-day, for example 2026-11-24.")
                ) from None
            reason = request.form.get("reason", "")[:REASON_MAX]
            retention.keep_longer(
                db,
                case,
                keep_until=until.date(),
                sealed_reason=current.seal_note(db, reason),
                member=current.member(),
                today=today,
            )
            current.record(
                db,
                "retention_extended",
                contact_id=case.contact_id,
                details={"case": case.id, "to": until.date().isoformat()},
            )
    except retention.RetentionError as error:
        message = retention_error_text(error)
    except _Refused as error:
        message = str(error)
    if message:
        flash(message, "error")
    else:
        flash(gettext("Saved."))
    return redirect(url_for("retention.page"))


class _Refused(ValueError):
    """A typed value that cannot be used; the text says why."""
