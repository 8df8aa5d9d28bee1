"""The yearly follow-up for the board, in the console: figures for the year
and the year before (contacts, cases, process times by channel, and what
became of people 6, 12 and 24 months after their case closed), small
numbers suppressed, charts drawn on the server
(inline SVG: no script, nothing loaded from anywhere), printable on A4, and
a CSV that Swedish Excel opens."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from triage import current
from triage.roles import requires
from triage.state import state
from utvag.reports.followup import (
    FIGURE_LABELS,
    OUTCOME_QUESTIONS,
    SMALLEST_SHOWN,
    NoSuchYear,
    Report,
    build,
    check_year,
    outcome_key,
    to_csv,
)
from utvag.store.db import transaction
from utvag.store.models import OUTCOME_CHECK_MONTHS, ContactChannel, Role

bp = Blueprint("followup", __name__)


def _report() -> tuple[Report | None, str | None, int]:
    with state().session_factory() as db:
        team = current.team(db)
        today = datetime.now(current.zone(team)).date()
        try:
            year = check_year(request.args.get("year"), today)
        except NoSuchYear:
            message = gettext(
                "Choose a year from 2000 to %(last)s, written with four digits.", last=today.year
            )
            return None, message, 400
        return build(db, team, year, today), None, 200


@bp.route("/reports/followup")
@requires(Role.LEAD)
def page() -> ResponseReturnValue:
    report, error, status = _report()
    months = [f"contacts_in_month_{month:02d}" for month in range(1, 13)]
    channels = [f"contacts_by_channel_{channel.value}" for channel in ContactChannel]
    return render_template(
        "followup.html",
        report=report,
        error=error,
        labels=FIGURE_LABELS,
        smallest=SMALLEST_SHOWN,
        months=months,
        channels=channels,
        outcome_charts={
            months: [
                f"outcome_checks_{months}m",
                *(outcome_key(months, question) for question in OUTCOME_QUESTIONS),
            ]
            for months in OUTCOME_CHECK_MONTHS
        },
        year_asked=request.args.get("year", ""),
    ), status


@bp.route("/reports/followup.csv")
@requires(Role.LEAD)
def csv() -> ResponseReturnValue:
    report, error, status = _report()
    if report is None:
        return Response(f"{error}\n", status=status, mimetype="text/plain")
    with transaction(state().session_factory) as db:
        current.record(db, "export", details={"what": "followup", "year": report.year})
    return Response(
        to_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="uppfoljning-{report.year}.csv"'},
    )
