"""The call-back queue: open contacts, the one due first on top."""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from triage import current
from triage.roles import requires
from triage.state import state
from utvag.db import utcnow
from utvag.jobs import queue_version_key
from utvag.models import Role
from utvag.repo.calls import claimer_id
from utvag.repo.contacts import closed_for_team, count_due, queue_for_team
from utvag.repo.messages import contacts_with_unseen_follow_ups
from utvag.repo.staff import member_names
from utvag.repo.teams import calendar_for

bp = Blueprint("queue", __name__)
log = logging.getLogger(__name__)


@bp.route("/")
@requires(Role.COORDINATOR)
def home() -> ResponseReturnValue:
    return queue()


@bp.route("/queue")
@requires(Role.COORDINATOR)
def queue() -> ResponseReturnValue:
    show_closed = request.args.get("view") == "closed"
    # Without JavaScript a member may choose a timed reload; it is never
    # imposed (WCAG 2.2.1: a timed change the user can turn off).
    auto_refresh = request.args.get("auto") == "1" and not show_closed
    now = utcnow()
    with state().session_factory() as db:
        team = current.team(db)
        contacts = closed_for_team(db, team.id) if show_closed else queue_for_team(db, team.id)
        calendar = calendar_for(db, team)
        names = member_names(db, team.id)
        calling = {
            contact.id: names.get(holder, "?")
            for contact in contacts
            if (holder := claimer_id(contact, now)) is not None
        }
        due_now = count_due(db, team.id, now)
        unseen = contacts_with_unseen_follow_ups(db, team.id)
    opens_at = None if calendar.is_open(now) else calendar.next_open(now)
    return render_template(
        "queue.html",
        team=team,
        contacts=contacts,
        show_closed=show_closed,
        auto_refresh=auto_refresh,
        now=now,
        opens_at=opens_at,
        zone=calendar.zone,
        calling=calling,
        due_now=due_now,
        unseen=unseen,
        version=_queue_version(team.id),
    )


@bp.route("/queue/poll")
@requires(Role.COORDINATOR)
def poll() -> ResponseReturnValue:
    """What the queue page's script checks: counts and a counter, no content."""
    with state().session_factory() as db:
        team = current.team(db)
        due_now = count_due(db, team.id, utcnow())
    return {"due_now": due_now, "version": _queue_version(team.id)}


def _queue_version(team_id: int) -> int | None:
    """The worker's queue counter for the team; None if Redis cannot say."""
    client: redis.Redis | None = current_app.extensions.get("utvag.redis")
    if client is None:
        return None
    try:
        value = client.get(queue_version_key(team_id))
    except redis.RedisError as error:
        log.warning("queue counter unavailable: %s", type(error).__name__)
        return None
    return int(value) if value is not None else 0
