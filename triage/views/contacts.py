"""One contact: read it (every opening audited), take the call, log what happened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from crypto.sealing import seal
from triage import current
from triage.confirm import ask, confirmed
from triage.labels.names import OUTCOME_NAMES, STATUS_NAMES, problem_text
from triage.phone_check import checked_phone, refusal_text
from triage.roles import requires
from triage.state import state
from utvag.clock import utcnow
from utvag.phones import phone_for_display
from utvag.repo import calls
from utvag.repo.call_from import call_from_changes
from utvag.repo.calls import CallError, CallProblem, ClaimState, NoSuchContact
from utvag.repo.cases import case_for_contact, open_case
from utvag.repo.contacts import contact_for_team, create_referral
from utvag.repo.handover import last_received
from utvag.repo.messages import add_reply, mark_follow_ups_seen, messages_for
from utvag.repo.outside_referrals import referrals_for_contact
from utvag.repo.staff import member_names
from utvag.repo.voice import voice_messages_for
from utvag.store.db import transaction
from utvag.store.models import (
    CallFrom,
    CallOutcome,
    ContactKind,
    ContactMessage,
    ContactStatus,
    MessageDirection,
    Role,
)

bp = Blueprint("contacts", __name__)

NOTE_MAX = 2000
REPLY_MAX = 5000
# How a reached contact may be closed, by kind.
CLOSINGS = {
    ContactKind.DEFECTOR.value: {ContactStatus.CLOSED},
    ContactKind.RELATIVE.value: {ContactStatus.INFO_GIVEN, ContactStatus.CLOSED},
}


def phone_to_call(
    content: dict[str, Any] | None, thread: list[tuple[ContactMessage, dict[str, Any] | None]]
) -> str | None:
    """The number to call: the newest one the person gave in a follow-up
    asking to be called, else the one in their first contact."""
    for message, opened in reversed(thread):
        if (
            message.direction == MessageDirection.FROM_PERSON.value
            and opened
            and opened.get("phone")
        ):
            return str(opened["phone"])
    phone = content.get("phone") if content else None
    return str(phone) if phone else None


def opened_thread(
    db: Session, contact_id: int
) -> list[tuple[ContactMessage, dict[str, Any] | None]]:
    """Every message after the first contact, opened with the member's keys."""
    return [
        (
            message,
            current.open_fields(message.sealed_content)
            if message.direction == MessageDirection.FROM_PERSON.value
            else current.open_fields(message.sealed_for_team),
        )
        for message in messages_for(db, contact_id)
    ]


def _back(contact_id: int) -> Response:
    return redirect(url_for("contacts.show", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>")
@requires(Role.COORDINATOR)
def show(contact_id: int) -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        team = current.team(db)
        contact = contact_for_team(db, team.id, contact_id)
        if contact is None:
            abort(404)
        content = current.open_fields(contact.sealed_content)
        attempts = [
            (attempt, current.open_fields(attempt.sealed_note))
            for attempt in calls.attempts_for(db, contact.id)
        ]
        names = member_names(db, team.id)
        case = case_for_contact(db, contact.id)
        thread = opened_thread(db, contact.id)
        voice_messages = voice_messages_for(db, contact.id)
        changes = [
            (change, current.open_fields(change.sealed_reason))
            for change in call_from_changes(db, contact.id)
        ]
        handed_from = last_received(db, team.id, contact.id)
        referrals = [
            (r, current.open_fields(r.sealed_note)) for r in referrals_for_contact(db, contact.id)
        ]
        mark_follow_ups_seen(db, contact)
        current.record(
            db, "decrypt" if content is not None else "decrypt_failed", contact_id=contact.id
        )
    phone = phone_to_call(content, thread)
    refusal = checked_phone(phone).refusal if phone else None
    now = utcnow()
    twilio = state().config.twilio
    return render_template(
        "contact.html",
        contact=contact,
        content=content,
        phone=phone,
        phone_display=phone_for_display(phone) if phone else None,
        phone_refused=refusal_text(refusal) if refusal is not None else None,
        attempts=attempts,
        thread=thread,
        switchboard=twilio is not None,
        neutral_number=twilio.neutral_number if twilio is not None else None,
        call_from_changes=changes,
        call_from_choices=list(CallFrom),
        voice_messages=voice_messages if content is not None else [],
        names=names,
        case=case,
        handed_from=handed_from,
        zone=current.zone(team),
        now=now,
        mine=calls.holds_claim(contact, current.member(), now),
        claimed_by_other=calls.claimer_id(contact, now) not in (None, current.member().id),
        outcomes=list(CallOutcome),
        closings=sorted(CLOSINGS.get(contact.kind, ()), key=lambda s: s.value),
        referrals=referrals,
        today=datetime.now(current.zone(team)).date(),
    )


@bp.route("/contacts/<int:contact_id>/claim", methods=["POST"])
@requires(Role.COORDINATOR)
def claim(contact_id: int) -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        team = current.team(db)
        result = calls.claim(db, team.id, contact_id, current.member())
        if result.state is ClaimState.NOT_FOUND:
            abort(404)
        if result.state is ClaimState.CLAIMED:
            current.record(db, "claim", contact_id=contact_id)
    if result.state is ClaimState.CLAIMED:
        flash(gettext("You are calling now: no one else will call this person for 15 minutes."))
    elif result.state is ClaimState.TAKEN:
        flash(gettext("%(name)s is already calling this person.", name=result.holder_name), "info")
    elif result.state is ClaimState.CLOSED:
        flash(gettext("This contact is closed."), "error")
    return _back(contact_id)


@bp.route("/contacts/<int:contact_id>/release", methods=["POST"])
@requires(Role.COORDINATOR)
def release(contact_id: int) -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        team = current.team(db)
        if contact_for_team(db, team.id, contact_id) is None:
            abort(404)
        if calls.release(db, team.id, contact_id, current.member()):
            current.record(db, "release", contact_id=contact_id)
    flash(gettext("Released: the contact is back in the queue for anyone to call."))
    return redirect(url_for("queue.queue"))


@bp.route("/contacts/<int:contact_id>/attempts", methods=["POST"])
@requires(Role.COORDINATOR)
def log_attempt(contact_id: int) -> ResponseReturnValue:
    try:
        outcome = CallOutcome(request.form.get("outcome", ""))
    except ValueError:
        flash(gettext("Choose what happened on the call."), "error")
        return _back(contact_id)
    note = request.form.get("note", "")[:NOTE_MAX]
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            attempt = calls.record_outcome(
                db, team, contact_id, current.member(), outcome, current.seal_note(db, note)
            )
            current.record(
                db, "call_outcome", contact_id=contact_id, details={"outcome": outcome.value}
            )
    except NoSuchContact:
        abort(404)
    except CallError as error:
        flash(problem_text(error), "error")
        return _back(contact_id)
    flash(_logged_text(outcome, attempt.next_due_at))
    if attempt.next_due_at is None:
        return _back(contact_id)
    return redirect(url_for("queue.queue"))


def _logged_text(outcome: CallOutcome, next_due_at: datetime | None) -> str:
    """The confirmation after a call is logged: what was saved, and when the
    next attempt is, if there is one."""
    logged = gettext("The call is logged: %(outcome)s.", outcome=OUTCOME_NAMES[outcome.value])
    if next_due_at is None:
        return logged
    when = next_due_at.astimezone(current.zone_of_member()).strftime("%Y-%m-%d %H:%M")
    next_attempt = gettext("Next attempt: %(when)s.", when=when)
    return f"{logged} {next_attempt}"


@bp.route("/contacts/<int:contact_id>/case", methods=["POST"])
@requires(Role.COORDINATOR)
def start_case(contact_id: int) -> ResponseReturnValue:
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            case = open_case(db, team.id, contact_id, current.member())
            current.record(db, "case_opened", contact_id=contact_id, details={"case": case.id})
    except NoSuchContact:
        abort(404)
    except CallError as error:
        flash(problem_text(error), "error")
        return _back(contact_id)
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/contacts/<int:contact_id>/close", methods=["POST"])
@requires(Role.COORDINATOR)
def close(contact_id: int) -> ResponseReturnValue:
    try:
        status = ContactStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    if not confirmed():
        with state().session_factory() as db:
            if contact_for_team(db, current.team(db).id, contact_id) is None:
                abort(404)
        return ask(
            question=gettext("Close contact %(id)s?", id=contact_id),
            consequences=[
                gettext("It leaves the queue as: %(status)s.", status=STATUS_NAMES[status.value]),
                gettext(
                    "What the person wrote is deleted when the team's retention period has "
                    "passed. If they come back with their code, they can write again."
                ),
            ],
            yes=gettext("Yes, close it"),
            back=url_for("contacts.show", contact_id=contact_id),
            carry=("status",),
        )
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            contact = contact_for_team(db, team.id, contact_id)
            if contact is None:
                abort(404)
            allowed = (
                CLOSINGS.get(contact.kind, set())
                if contact.wants_callback
                else {ContactStatus.CLOSED}
            )
            if status not in allowed:
                raise CallError(CallProblem.DOES_NOT_FIT)
            calls.close(db, team.id, contact_id, status)
            current.record(db, "contact_closed", contact_id=contact_id, details={"as": status})
    except CallError as error:
        flash(problem_text(error), "error")
    return _back(contact_id)


@bp.route("/contacts/<int:contact_id>/referral", methods=["POST"])
@requires(Role.COORDINATOR)
def refer(contact_id: int) -> ResponseReturnValue:
    """A relative's call ends with a contact of its own for the person it was about."""
    phone_raw = request.form.get("phone", "").strip()
    note = request.form.get("note", "").strip()[:NOTE_MAX]
    checked = checked_phone(phone_raw) if phone_raw else None
    if checked is not None and checked.refusal is not None:
        flash(refusal_text(checked.refusal), "error")
        return _back(contact_id)
    phone = checked.number if checked is not None else None
    if not phone and not note:
        flash(gettext("Write a phone number or a note about the person."), "error")
        return _back(contact_id)
    with transaction(state().session_factory) as db:
        team = current.team(db)
        relative = contact_for_team(db, team.id, contact_id)
        if relative is None or relative.kind != ContactKind.RELATIVE.value:
            abort(404)
        key_id, sealed = current.seal_for_team(db, {"phone": phone or "", "note": note})
        referral = create_referral(
            db, team, relative, key_id=key_id, sealed_content=sealed, wants_callback=bool(phone)
        )
        if ContactStatus(relative.status).is_open:
            calls.close(db, team.id, relative.id, ContactStatus.INFO_GIVEN)
        current.record(
            db, "referral_created", contact_id=relative.id, details={"referral": referral.id}
        )
    return redirect(url_for("contacts.show", contact_id=referral.id))


@bp.route("/contacts/<int:contact_id>/reply", methods=["POST"])
@requires(Role.COORDINATOR)
def reply(contact_id: int) -> ResponseReturnValue:
    """A reply the person reads with their receipt code. Sealed to the
    contact's reply key for the person, and to the team key for colleagues,
    who read it on the contact's page (an audited opening like any other)."""
    text = request.form.get("reply", "").strip()[:REPLY_MAX]
    if not text:
        flash(gettext("Write a reply first."), "error")
        return _back(contact_id)
    with transaction(state().session_factory) as db:
        team = current.team(db)
        contact = contact_for_team(db, team.id, contact_id)
        if contact is None:
            abort(404)
        if contact.reply_public_key is None:
            flash(gettext("This person has no receipt code, so cannot read replies."), "error")
            return _back(contact_id)
        add_reply(
            db,
            contact,
            seal(contact.reply_public_key, text.encode()),
            current.member().id,
            sealed_for_team=current.seal_note(db, text),
        )
        current.record(db, "reply_sent", contact_id=contact.id)
    flash(gettext("The reply is sent. The person sees it when they come back with their code."))
    return _back(contact_id)


@bp.route("/contacts/<int:contact_id>/acute", methods=["POST"])
@requires(Role.COORDINATOR)
def set_acute(contact_id: int) -> ResponseReturnValue:
    """Acute risk puts the contact above everything else in the queue and the
    case list, with the escalation step (112, the police's protection unit)."""
    acute = request.form.get("acute") == "1"
    with transaction(state().session_factory) as db:
        team = current.team(db)
        contact = contact_for_team(db, team.id, contact_id)
        if contact is None:
            abort(404)
        if contact.acute_risk != acute:
            contact.acute_risk = acute
            current.record(
                db, "acute_risk_set" if acute else "acute_risk_cleared", contact_id=contact.id
            )
    flash(gettext("Marked as acute risk.") if acute else gettext("No longer marked as acute risk."))
    return _back(contact_id)
