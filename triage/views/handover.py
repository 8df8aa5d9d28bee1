"""Handing a contact, and its case, over to another team on the install.

Only the programme lead does it: it discloses everything the person said to
another programme (another municipality's, or from the regional triage team
to the programme that fits), which is a decision about secrecy and consent
that the team's lead answers for, like accepting a case. Coordinators see
that it can be done and by whom.

The lead chooses the team, records the person's yes and its day, and
confirms on a page of its own. Then, in one transaction, everything sealed
about the person is re-sealed to the receiving team's key
(``triage.keys.handover``), the rows change team, and both teams' audit
trails record it, without a word of content. The sending team's ids answer
404 from then on; the receiving team finds the contact under "news",
marked as handed over from the sending team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import redis
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session

from triage import current
from triage.confirm import ask, confirmed
from triage.keys.handover import hand_over
from triage.labels.handover import HANDOVER_PROBLEM_TEXT
from triage.roles import requires
from triage.state import state
from utvag.clock import utcnow
from utvag.jobs.queue_events import announce_queue_change
from utvag.repo import audit
from utvag.repo.contacts import contact_for_team
from utvag.repo.handover import (
    HandoverProblem,
    HandoverRefused,
    check_consent,
    contact_to_hand_over,
    other_teams,
    receiving_team,
)
from utvag.store.db import transaction
from utvag.store.models import Contact, Role, Team

bp = Blueprint("handover", __name__)


@dataclass(frozen=True)
class Chosen:
    """What the lead filled in, as typed (shown again on a refusal)."""

    team: str
    consent: bool
    consent_given_on: str


def _chosen() -> Chosen:
    return Chosen(
        team=request.form.get("team", "").strip(),
        consent=request.form.get("consent") == "yes",
        consent_given_on=request.form.get("consent_given_on", "").strip(),
    )


def _own_contact(db: Session, contact_id: int, *, lock: bool = False) -> tuple[Team, Contact]:
    team = current.team(db)
    find = contact_to_hand_over if lock else contact_for_team
    contact = find(db, team.id, contact_id)
    if contact is None:
        abort(404)
    return team, contact


def _checked(db: Session, team: Team, contact: Contact, chosen: Chosen) -> tuple[Team, date]:
    """The receiving team and the day of consent; HandoverRefused if either is wrong."""
    # A team id is a small number; anything else names no team (and is not
    # sent to the database, where a huge one would not fit the column).
    team_id = int(chosen.team) if chosen.team.isdigit() and len(chosen.team) <= 9 else None
    to_team = receiving_team(db, team.id, team_id)
    try:
        given_on = date.fromisoformat(chosen.consent_given_on) if chosen.consent_given_on else None
    except ValueError:
        raise HandoverRefused(HandoverProblem.NO_CONSENT_DAY) from None
    zone = current.zone(team)
    consent_day = check_consent(
        chosen.consent,
        given_on,
        received_on=contact.created_at.astimezone(zone).date(),
        today=utcnow().astimezone(zone).date(),
    )
    return to_team, consent_day


def _form(contact_id: int, chosen: Chosen | None, error: str | None = None) -> ResponseReturnValue:
    with state().session_factory() as db:
        team, contact = _own_contact(db, contact_id)
        teams = other_teams(db, team.id)
        today = utcnow().astimezone(current.zone(team)).date()
    page = render_template(
        "handover.html",
        contact=contact,
        teams=teams,
        chosen=chosen or Chosen(team="", consent=False, consent_given_on=today.isoformat()),
        error=error,
    )
    return (page, 400) if error else page


@bp.route("/contacts/<int:contact_id>/handover")
@requires(Role.LEAD)
def form(contact_id: int) -> ResponseReturnValue:
    return _form(contact_id, None)


@bp.route("/contacts/<int:contact_id>/handover", methods=["POST"])
@requires(Role.LEAD)
def hand_over_contact(contact_id: int) -> ResponseReturnValue:
    chosen = _chosen()
    if not confirmed():
        problem: HandoverProblem | None = None
        with state().session_factory() as db:
            team, contact = _own_contact(db, contact_id)
            try:
                to_team, consent_day = _checked(db, team, contact, chosen)
            except HandoverRefused as refused:
                problem = refused.problem
        if problem is not None:
            return _form(contact_id, chosen, str(HANDOVER_PROBLEM_TEXT[problem]))
        return ask(
            question=gettext(
                "Hand contact %(id)s over to %(team)s?", id=contact_id, team=to_team.name
            ),
            consequences=[
                gettext(
                    "Everything about the person, and their case if there is one, is re-sealed"
                    " to %(team)s's key and moves there: messages, call notes, voice messages,"
                    " the case's notes and records.",
                    team=to_team.name,
                ),
                gettext(
                    "Your team can no longer open it. What stays with you is a line without"
                    " content, under closed contacts and in the audit trail: handed over to"
                    " %(team)s, with the day.",
                    team=to_team.name,
                ),
                gettext(
                    "The person said yes on %(day)s. Their receipt code keeps working; replies"
                    " now come from %(team)s.",
                    day=consent_day.isoformat(),
                    team=to_team.name,
                ),
                gettext("This cannot be undone from your team."),
            ],
            yes=gettext("Yes, hand it over"),
            back=url_for("contacts.show", contact_id=contact_id),
            carry=("team", "consent", "consent_given_on"),
        )
    now = utcnow()
    member = current.member()
    try:
        with transaction(state().session_factory) as db:
            team, contact = _own_contact(db, contact_id, lock=True)
            to_team, consent_day = _checked(db, team, contact, chosen)
            done = hand_over(
                db,
                contact,
                from_team=team,
                to_team=to_team,
                member=member,
                consent_given_on=consent_day,
                sending_keys=current.staff().team_private_keys,
                now=now,
            )
            details = {"consent_given_on": consent_day.isoformat(), "resealed": done.resealed}
            if done.case_id is not None:
                details["case"] = done.case_id
            current.record(
                db, "handed_over", contact_id=contact_id, details={"to": to_team.name, **details}
            )
            audit.record(
                db,
                "handover_received",
                team_id=to_team.id,
                actor_id=member.id,
                actor_name=member.username,
                contact_id=contact_id,
                details={"from": team.name, **details},
            )
            receiver_id, receiver_name, sender_id = to_team.id, to_team.name, team.id
    except HandoverRefused as refused:
        return _form(contact_id, chosen, str(HANDOVER_PROBLEM_TEXT[refused.problem]))
    _announce(sender_id, receiver_id)
    flash(
        gettext(
            "Contact %(id)s is handed over to %(team)s. Your team can no longer open it.",
            id=contact_id,
            team=receiver_name,
        )
    )
    return redirect(url_for("queue.queue"))


def _announce(*team_ids: int) -> None:
    """Both teams' queues changed: the counter each console watches (team ids only)."""
    client: redis.Redis | None = current_app.extensions.get("utvag.redis")
    if client is None:
        return
    for team_id in team_ids:
        try:
            announce_queue_change(client, team_id)
        except redis.RedisError:
            current_app.logger.warning("queue counter not bumped after a hand-over")
