"""The audit trail for supervision: by member, by contact and by period,
every action and detail in Swedish, and a CSV of exactly what is shown (the
export itself is audited)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from triage import current
from triage.labels.audit import describe
from triage.labels.names import ACTION_NAMES
from triage.roles import requires
from triage.state import state
from utvag.repo import audit
from utvag.repo.staff import members_of
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Role

bp = Blueprint("audit", __name__)

PAGE_SIZE = 200
EXPORT_MAX = 50_000


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip().lstrip("#")
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Filters:
    actor_id: int | None
    contact_id: int | None
    start: date | None
    end: date | None


def _filters() -> tuple[Filters, list[str]]:
    """What the supervisor asked for, or what is wrong with it (in Swedish)."""
    errors = []
    days: dict[str, date | None] = {}
    for name in ("from", "to"):
        text = request.args.get(name, "").strip()
        days[name] = None
        if text:
            try:
                days[name] = date.fromisoformat(text)
            except ValueError:
                errors.append(gettext("Write the days as year-month-day, for example 2026-11-24."))
    if days["from"] and days["to"] and days["from"] > days["to"]:
        errors.append(gettext("The first day is after the last day: swap them or change one."))
    filters = Filters(_int_arg("member"), _int_arg("contact"), days["from"], days["to"])
    return filters, errors


def _query(team_id: int, filters: Filters, zone: ZoneInfo):  # type: ignore[no-untyped-def]
    query = select(AuditEvent).where(AuditEvent.team_id == team_id)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.contact_id is not None:
        query = query.where(AuditEvent.contact_id == filters.contact_id)
    if filters.start is not None:
        query = query.where(AuditEvent.at >= datetime.combine(filters.start, time(0), tzinfo=zone))
    if filters.end is not None:
        after = datetime.combine(filters.end + timedelta(days=1), time(0), tzinfo=zone)
        query = query.where(AuditEvent.at < after)
    return query.order_by(AuditEvent.id.desc())


def _events(db: Session, filters: Filters, limit: int) -> tuple[list[AuditEvent], ZoneInfo]:
    team = current.team(db)
    zone = current.zone(team)
    return list(db.scalars(_query(team.id, filters, zone).limit(limit))), zone


@bp.route("/audit")
@requires(Role.LEAD)
def trail() -> ResponseReturnValue:
    filters, errors = _filters()
    with state().session_factory() as db:
        team = current.team(db)
        events, zone = ([], current.zone(team)) if errors else _events(db, filters, PAGE_SIZE)
        problems = audit.verify_chain(db)
        members = members_of(db, team.id)
    return render_template(
        "audit.html",
        events=events,
        described={event.id: describe(event.details) for event in events},
        members=members,
        filters=filters,
        errors=errors,
        problems=problems,
        zone=zone,
        page_size=PAGE_SIZE,
        query_string=request.query_string.decode(),
    ), (400 if errors else 200)


@bp.route("/audit.csv")
@requires(Role.LEAD)
def export() -> ResponseReturnValue:
    filters, errors = _filters()
    if errors:
        return Response("\n".join(errors) + "\n", status=400, mimetype="text/plain")
    with transaction(state().session_factory) as db:
        events, zone = _events(db, filters, EXPORT_MAX)
        current.record(
            db,
            "export",
            details={"what": "audit", "count": len(events)},
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["tid", "vem", "vad", "kontakt", "detaljer"])
    for event in events:
        writer.writerow(
            [
                event.at.astimezone(zone).isoformat(timespec="seconds"),
                event.actor_name or "",
                str(ACTION_NAMES.get(event.action, event.action)),
                event.contact_id or "",
                describe(event.details),
            ]
        )
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="granskningslogg.csv"'},
    )
