"""The audit trail for the programme lead, by member and by contact."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from triage import current
from triage.roles import requires
from triage.state import state
from utvag.models import AuditEvent, Role
from utvag.repo import audit
from utvag.repo.staff import members_of

bp = Blueprint("audit", __name__)

PAGE_SIZE = 200


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip().lstrip("#")
    return int(value) if value.isdigit() else None


@bp.route("/audit")
@requires(Role.LEAD)
def trail() -> ResponseReturnValue:
    actor_id = _int_arg("member")
    contact_id = _int_arg("contact")
    with state().session_factory() as db:
        team = current.team(db)
        query = select(AuditEvent).where(AuditEvent.team_id == team.id)
        if actor_id is not None:
            query = query.where(AuditEvent.actor_id == actor_id)
        if contact_id is not None:
            query = query.where(AuditEvent.contact_id == contact_id)
        events = list(db.scalars(query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)))
        problems = audit.verify_chain(db)
        members = members_of(db, team.id)
    return render_template(
        "audit.html",
        events=events,
        members=members,
        actor_id=actor_id,
        contact_id=contact_id,
        problems=problems,
        zone=current.zone(team),
        page_size=PAGE_SIZE,
    )
