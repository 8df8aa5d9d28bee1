"""The call-back log: every attempt, who and when; what the lead shows the board."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from triage import current
from triage.labels.names import KIND_NAMES, OUTCOME_NAMES
from triage.roles import requires
from triage.state import state
from utvag.repo.calls import attempts_between
from utvag.store.db import transaction
from utvag.store.models import CallOutcome, Role

bp = Blueprint("reports", __name__)


def _period(today: date) -> tuple[date, date]:
    """From/to (inclusive) from the query string; the current year by default."""
    try:
        start = date.fromisoformat(request.args.get("from", ""))
    except ValueError:
        start = date(today.year, 1, 1)
    try:
        end = date.fromisoformat(request.args.get("to", ""))
    except ValueError:
        end = today
    return (start, end) if start <= end else (end, start)


def _rows(db, team, start: date, end: date):  # type: ignore[no-untyped-def]
    zone = current.zone(team)
    return attempts_between(
        db,
        team.id,
        datetime.combine(start, time(0), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
    )


@bp.route("/reports/calls")
@requires(Role.LEAD)
def calls() -> ResponseReturnValue:
    with state().session_factory() as db:
        team = current.team(db)
        zone = current.zone(team)
        start, end = _period(datetime.now(zone).date())
        rows = _rows(db, team, start, end)
    by_outcome = Counter(attempt.outcome for attempt, _name, _kind in rows)
    by_month: dict[str, Counter[str]] = {}
    for attempt, _name, _kind in rows:
        month = attempt.at.astimezone(zone).strftime("%Y-%m")
        by_month.setdefault(month, Counter())[attempt.outcome] += 1
    return render_template(
        "report_calls.html",
        rows=rows,
        start=start,
        end=end,
        zone=zone,
        outcomes=list(CallOutcome),
        by_outcome=by_outcome,
        by_month=sorted(by_month.items()),
        contacts_reached=len(
            {a.contact_id for a, _n, _k in rows if a.outcome == CallOutcome.REACHED.value}
        ),
    )


@bp.route("/reports/calls.csv")
@requires(Role.LEAD)
def calls_csv() -> ResponseReturnValue:
    """The same log as a spreadsheet; ids and outcomes only, no content."""
    with transaction(state().session_factory) as db:
        team = current.team(db)
        zone = current.zone(team)
        start, end = _period(datetime.now(zone).date())
        rows = _rows(db, team, start, end)
        current.record(
            db,
            "export",
            details={"report": "calls", "from": start.isoformat(), "to": end.isoformat()},
        )
    # Semicolons and a byte-order mark: what Swedish Excel opens correctly;
    # every value in Swedish, as on the page.
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["tid", "kontakt", "vem", "utfall", "ringer_igen", "av"])
    for attempt, name, kind in rows:
        writer.writerow(
            [
                attempt.at.astimezone(zone).isoformat(timespec="seconds"),
                attempt.contact_id,
                str(KIND_NAMES.get(kind, kind)),
                str(OUTCOME_NAMES.get(attempt.outcome, attempt.outcome)),
                attempt.next_due_at.astimezone(zone).isoformat(timespec="seconds")
                if attempt.next_due_at
                else "",
                name or "",
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=samtal-{start}-{end}.csv"},
    )
