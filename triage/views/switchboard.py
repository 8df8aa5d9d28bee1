"""Calling a person back through Twilio ("växeln").

A member sets their own phone once (sealed to the team key, like everything
personal). On a contact they are calling, "Ring upp via växeln" asks Twilio
to ring the member's phone from the hotline's number; when the member
answers, Twilio dials the person with the caller ID the person chose: the
number that names nothing (the default), or the hotline's number only if
they chose it. The person's phone keeps that number in its call log, and
whoever holds the phone later may ring it: the hotline's greeting names the
programme, so showing it to someone who did not choose it was the worst
leak there is. If the person chose the number that names nothing and none is
configured, nothing is dialled and the member is told what to do instead.
So the person never sees a personal number, the member never types the
person's number, and the member's phone keeps only the hotline's number in
its call log. The call is never recorded and is deleted at Twilio once it
has ended (the worker's ``forget_call``). How the person's leg ended (no
answer, busy) comes back from Twilio to the public app and is logged by the
worker; staff log the rest (reached, not safe to talk) as for any call.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from crypto.job_secrets import lock_job_value
from triage import current
from triage.phone_check import checked_phone, refusal_text
from triage.roles import requires
from triage.state import state
from triage.views.contacts import opened_thread, phone_to_call
from utvag.clock import utcnow
from utvag.config import TwilioConfig
from utvag.phones import phone_for_display
from utvag.repo import calls, outbox
from utvag.repo.contacts import contact_for_team
from utvag.store.db import transaction
from utvag.store.models import CallFrom, Role, StaffMember
from utvag.telephony.twilio_api import TwilioApi, TwilioUnavailable

bp = Blueprint("switchboard", __name__)

# The same wait as for a hotline call: Twilio deletes a call only once it ended.
FORGET_CALL_AFTER_MINUTES = 2


def _twilio() -> TwilioConfig:
    twilio = state().config.twilio
    if twilio is None:
        abort(404)
    return twilio


def caller_id_for(
    twilio: TwilioConfig, call_from: str, team_number: str | None = None
) -> str | None:
    """The number the person sees when we call: the hotline's only if they
    chose it (the team's own number when it has one, else the install's);
    otherwise the number that names nothing, install-wide, or None if there
    is none (then nothing may be dialled through the switchboard)."""
    if call_from == CallFrom.HOTLINE.value:
        return team_number or twilio.number
    return twilio.neutral_number


def own_phone(member: StaffMember) -> str | None:
    opened = current.open_fields(member.sealed_phone)
    return str(opened["phone"]) if opened and opened.get("phone") else None


@bp.route("/account/phone", methods=["GET", "POST"])
@requires(Role.COORDINATOR)
def my_phone() -> ResponseReturnValue:
    if request.method == "GET":
        with state().session_factory() as db:
            member = db.get(StaffMember, current.member().id)
            phone = own_phone(member) if member is not None else None
        return render_template(
            "phone.html",
            phone_display=phone_for_display(phone) if phone else None,
            switchboard=state().config.twilio is not None,
        )
    typed = request.form.get("phone", "").strip()
    checked = checked_phone(typed) if typed else None
    if checked is not None and checked.refusal is not None:
        flash(refusal_text(checked.refusal), "error")
        return redirect(url_for("switchboard.my_phone"))
    phone = checked.number if checked is not None else None
    with transaction(state().session_factory) as db:
        member = db.get(StaffMember, current.member().id)
        if member is None:
            abort(404)
        if phone is None:
            member.sealed_phone = None
            current.record(db, "own_phone_removed")
        else:
            _, member.sealed_phone = current.seal_for_team(db, {"phone": phone})
            current.record(db, "own_phone_set")
    flash(gettext("Your phone is saved.") if phone else gettext("Your phone is removed."))
    return redirect(url_for("switchboard.my_phone"))


@bp.route("/contacts/<int:contact_id>/call-via-switchboard", methods=["POST"])
@requires(Role.COORDINATOR)
def call(contact_id: int) -> ResponseReturnValue:
    twilio = _twilio()
    back = redirect(url_for("contacts.show", contact_id=contact_id))
    # Read, then ring, then write: no transaction is open while Twilio is
    # asked (up to its timeout), so on SQLite no submission waits for it.
    with state().session_factory() as db:
        team = current.team(db)
        contact = contact_for_team(db, team.id, contact_id)
        member = db.get(StaffMember, current.member().id)
        if contact is None or member is None:
            abort(404)
        if not calls.holds_claim(contact, member, utcnow()):
            flash(gettext("Take the call first: someone else may be calling."), "error")
            return back
        person = phone_to_call(
            current.open_fields(contact.sealed_content), opened_thread(db, contact.id)
        )
        mine = own_phone(member)
        member_id = member.id
        call_from = contact.call_from
        team_number = team.hotline_number
    caller_id = caller_id_for(twilio, call_from, team_number)
    if caller_id is None:
        flash(
            gettext(
                "Nothing was dialled. This person chose to be called from a number that says "
                "nothing about us, and the switchboard has none (UTVAG_TWILIO_NEUTRAL_NUMBER is "
                "not set). Call from a phone that hides its number: on most mobiles, dial "
                "#31# before the number."
            ),
            "error",
        )
        return back
    if person is None:
        flash(gettext("There is no number to call."), "error")
        return back
    if mine is None:
        flash(gettext("Set your own phone under My phone first."), "error")
        return back
    # Both numbers were checked when they were stored; checked again here,
    # the last step before Twilio dials, for any kept before the check was.
    for number in (person, mine):
        refusal = checked_phone(number).refusal
        if refusal is not None:
            flash(refusal_text(refusal), "error")
            return back
    reference = lock_job_value(twilio.auth_token, f"{contact_id}:{member_id}")
    status_url = f"{state().config.public_url}/telephony/bridge-status?ref={reference}"
    try:
        with TwilioApi(twilio) as api:
            call_sid = api.bridge(
                mine,
                person,
                status_url,
                gettext("You are being put through to the contact."),
                caller_id=caller_id,
            )
    except TwilioUnavailable:
        flash(
            gettext("The switchboard did not answer. Call from your desk phone instead."),
            "error",
        )
        return back
    with transaction(state().session_factory) as db:
        outbox.add_job(
            db,
            "forget_call",
            lock_job_value(twilio.auth_token, call_sid),
            run_at=utcnow() + timedelta(minutes=FORGET_CALL_AFTER_MINUTES),
            flush=False,
        )
        current.record(
            db, "switchboard_call", contact_id=contact_id, details={"call_from": call_from}
        )
    if call_from == CallFrom.HOTLINE.value:
        flash(
            gettext(
                "Your phone is ringing. Answer, and you are put through; "
                "the person sees the hotline's number, as they chose."
            )
        )
    else:
        flash(
            gettext(
                "Your phone is ringing. Answer, and you are put through; "
                "the person sees the number that says nothing about us."
            )
        )
    return back
