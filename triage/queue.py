"""The call-back queue: every contact of the team, the one due first on top."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue

from triage.roles import requires
from triage.state import state
from utvag.db import utcnow
from utvag.models import Role, Team
from utvag.repo.contacts import queue_for_team
from utvag.repo.teams import calendar_for

bp = Blueprint("queue", __name__)


@bp.route("/")
@requires(Role.COORDINATOR)
def home() -> ResponseReturnValue:
    return queue()


@bp.route("/queue")
@requires(Role.COORDINATOR)
def queue() -> ResponseReturnValue:
    member = g.staff.member
    now = utcnow()
    with state().session_factory() as db:
        team = db.get(Team, member.team_id)
        contacts = queue_for_team(db, member.team_id)
    if team is None:
        return render_template("queue.html", team=None, contacts=[], now=now, opens_at=None)
    calendar = calendar_for(team)
    opens_at = None if calendar.is_open(now) else calendar.next_open(now)
    return render_template(
        "queue.html",
        team=team,
        contacts=contacts,
        now=now,
        opens_at=opens_at,
        zone=calendar.zone,
    )
