"""The yearly follow-up for the board, in the console: figures for the year
and the year before (contacts, cases, process times by channel, and what
became of people 6, 12 and 24 months after their case closed), small
numbers suppressed, charts drawn on the server
(inline SVG: no script, nothing loaded from anywhere), printable on A4, and
a CSV that Swedish Excel opens, and a PDF for the board (WeasyPrint, from
the same HTML, fetching nothing)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

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


def _shown(report: Report | None) -> dict[str, object]:
    """What the report's page and its PDF both draw from."""
    return {
        "report": report,
        "labels": FIGURE_LABELS,
        "smallest": SMALLEST_SHOWN,
        "months": [f"contacts_in_month_{month:02d}" for month in range(1, 13)],
        "channels": [f"contacts_by_channel_{channel.value}" for channel in ContactChannel],
        "outcome_charts": {
            months: [
                f"outcome_checks_{months}m",
                *(outcome_key(months, question) for question in OUTCOME_QUESTIONS),
            ]
            for months in OUTCOME_CHECK_MONTHS
        },
    }


@bp.route("/reports/followup")
@requires(Role.LEAD)
def page() -> ResponseReturnValue:
    report, error, status = _report()
    return render_template(
        "followup.html", error=error, year_asked=request.args.get("year", ""), **_shown(report)
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


class _NothingFetched(URLFetcher):
    """WeasyPrint fetches nothing: the PDF is drawn from the page alone (no
    font, image or stylesheet from anywhere, not even a local file)."""

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        raise URLFetchingError(f"nothing is fetched for the report ({url[:40]})")


def report_pdf(html: str) -> bytes:
    """The board's PDF of the report page's HTML (inline SVG and CSS only)."""
    document: bytes = HTML(string=html, url_fetcher=_NothingFetched()).write_pdf()
    return document


@bp.route("/reports/followup.pdf")
@requires(Role.LEAD)
def pdf() -> ResponseReturnValue:
    """The report as a PDF for the board, printable on A4, in Swedish."""
    report, error, status = _report()
    if report is None:
        return Response(f"{error}\n", status=status, mimetype="text/plain")
    with state().session_factory() as db:
        made_on = datetime.now(current.zone(current.team(db))).date()
    document = report_pdf(render_template("followup_print.html", made_on=made_on, **_shown(report)))
    with transaction(state().session_factory) as db:
        current.record(db, "export", details={"what": "followup", "year": report.year, "as": "pdf"})
    return Response(
        document,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="uppfoljning-{report.year}.pdf"'},
    )
