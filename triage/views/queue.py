"""The call-back queue: counts first, then one page of one list at a time.

Lists: contacts to call (the one due first on top), message-only contacts,
contacts with news (a follow-up no one has opened), submissions kept
unverified in a flood, and closed contacts. Junk is dismissed in bulk, after
a confirmation, without opening anything.
"""

from __future__ import annotations

import logging
from enum import StrEnum

import redis
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext

from triage import current
from triage.labels.names import CHANNEL_NAMES, KIND_NAMES, STATUS_NAMES, WINDOW_NAMES, resolved
from triage.roles import has_role, requires
from triage.state import state
from utvag.clock import utcnow
from utvag.jobs.queue_events import queue_version_key
from utvag.repo import case_followup
from utvag.repo import cases as case_repo
from utvag.repo import queue as queue_repo
from utvag.repo.calls import claimer_id
from utvag.repo.eviction import UNVERIFIED_CAP, recent_evictions
from utvag.repo.handover import handed_over_by_team, received_from
from utvag.repo.retention import cases_going
from utvag.repo.staff import member_names
from utvag.repo.teams import calendar_for
from utvag.store.db import transaction
from utvag.store.models import Role

bp = Blueprint("queue", __name__)
log = logging.getLogger(__name__)


class View(StrEnum):
    CALL = "call"
    MESSAGES = "messages"
    NEWS = "news"
    UNVERIFIED = "unverified"
    CLOSED = "closed"


@bp.route("/")
@requires(Role.COORDINATOR)
def home() -> ResponseReturnValue:
    return queue()


@bp.route("/queue")
@requires(Role.COORDINATOR)
def queue() -> ResponseReturnValue:
    try:
        view = View(request.args.get("view", View.CALL.value))
    except ValueError:
        view = View.CALL
    after = queue_repo.Cursor.decode(request.args.get("after"))
    # Without JavaScript a member may choose a timed reload; it is never
    # imposed (WCAG 2.2.1: a timed change the user can turn off).
    auto_refresh = request.args.get("auto") == "1" and view is View.CALL
    now = utcnow()
    with state().session_factory() as db:
        team = current.team(db)
        summary = queue_repo.summary(db, team.id, now)
        next_cursor = None
        evictions = None
        if view in (View.CALL, View.MESSAGES):
            page = queue_repo.page(db, team.id, to_call=view is View.CALL, after=after)
            contacts, next_cursor = page.contacts, page.next_cursor
        elif view is View.NEWS:
            contacts = queue_repo.with_news(db, team.id)
        elif view is View.UNVERIFIED:
            contacts = queue_repo.unverified(db, team.id)
            evictions = recent_evictions(db, team.id, now)
        else:
            contacts = queue_repo.closed(db, team.id)
        # What the team keeps of a contact it handed over: a content-free line.
        handed_away = handed_over_by_team(db, team.id) if view is View.CLOSED else []
        acute = queue_repo.acute(db, team.id) if view in (View.CALL, View.MESSAGES) else []
        calendar = calendar_for(db, team)
        names = member_names(db, team.id)
        # Marked on the list: handed over to this team from another one.
        handed_from = received_from(db, team.id, [c.id for c in [*acute, *contacts]])
        # For the lead: how many cases retention will reach within a week.
        going = len(cases_going(db, team, now)) if has_role(current.member().role, Role.LEAD) else 0
        # Outcome checks after closed cases that are due: counts only.
        followups_due = case_followup.due_counts(
            case_followup.due_checks(db, team.id, now.astimezone(calendar.zone).date())
        )
        # Counts only: which cases, and anything about the person, stay
        # behind the link.
        clocks = case_repo.clock_counts(db, team, now.astimezone(calendar.zone).date())
    calling = {
        contact.id: names.get(holder, "?")
        for contact in contacts
        if (holder := claimer_id(contact, now)) is not None
    }
    opens_at = None if calendar.is_open(now) else calendar.next_open(now)
    return render_template(
        "queue.html",
        team=team,
        view=view,
        views=View,
        contacts=contacts,
        acute=acute,
        summary=summary,
        next_cursor=next_cursor.encode() if next_cursor else None,
        first_page=after is None,
        auto_refresh=auto_refresh,
        now=now,
        overdue_after=queue_repo.OVERDUE_AFTER,
        opens_at=opens_at,
        zone=calendar.zone,
        calling=calling,
        handed_from=handed_from,
        handed_away=handed_away,
        evictions=evictions,
        followups_due=followups_due,
        retention_going=going,
        clocks=clocks,
        version=_queue_version(team.id),
        can_choose=view in (View.CALL, View.MESSAGES, View.UNVERIFIED),
        count_cap=queue_repo.COUNT_CAP,
        unverified_cap=UNVERIFIED_CAP,
        # Translated once for the page, not once per row.
        kinds=resolved(KIND_NAMES),
        channels=resolved(CHANNEL_NAMES),
        windows=resolved(WINDOW_NAMES),
        statuses=resolved(STATUS_NAMES),
    )


@bp.route("/queue/poll")
@requires(Role.COORDINATOR)
def poll() -> ResponseReturnValue:
    """What the queue page's script checks: counts and a counter, no content."""
    with state().session_factory() as db:
        team = current.team(db)
        due_now = queue_repo.due_now(db, team.id, utcnow())
    return {"due_now": due_now, "version": _queue_version(team.id)}


def _chosen_ids() -> list[int]:
    return [int(value) for value in request.form.getlist("contact") if value.isdigit()]


@bp.route("/queue/junk", methods=["POST"])
@requires(Role.COORDINATOR)
def junk() -> ResponseReturnValue:
    """Dismiss the chosen contacts as junk: first a page that asks, then it is done."""
    chosen = _chosen_ids()
    back = request.form.get("back") or url_for("queue.queue")
    if not back.startswith("/queue"):
        back = url_for("queue.queue")
    if not chosen:
        flash(gettext("Choose at least one contact first."), "error")
        return redirect(back)
    if request.form.get("confirm") != "yes":
        with state().session_factory() as db:
            team = current.team(db)
            contacts = queue_repo.chosen(db, team.id, chosen)
        return render_template("junk_confirm.html", contacts=contacts, back=back)
    with transaction(state().session_factory) as db:
        team = current.team(db)
        changed = queue_repo.dismiss_as_junk(db, team.id, chosen, utcnow())
        if changed:
            current.record(
                db, "junk_dismissed", details={"count": len(changed), "contacts": changed}
            )
    flash(
        ngettext(
            "%(num)d contact dismissed as junk.",
            "%(num)d contacts dismissed as junk.",
            len(changed),
        )
    )
    return redirect(back)


@bp.route("/queue/accept", methods=["POST"])
@requires(Role.COORDINATOR)
def accept() -> ResponseReturnValue:
    """Move chosen unverified submissions into the queue."""
    chosen = _chosen_ids()
    with transaction(state().session_factory) as db:
        team = current.team(db)
        changed = queue_repo.accept_unverified(db, team.id, chosen)
        if changed:
            current.record(
                db, "unverified_accepted", details={"count": len(changed), "contacts": changed}
            )
    flash(
        ngettext(
            "%(num)d contact moved into the queue.",
            "%(num)d contacts moved into the queue.",
            len(changed),
        )
    )
    return redirect(url_for("queue.queue", view=View.UNVERIFIED.value))


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
