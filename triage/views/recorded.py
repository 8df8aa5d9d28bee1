"""Contacts that did not come through the site or the hotline: a walk-in, a
call to a staff member's desk, a referral from the police or social
services. Staff record them here, sealed like any contact, with who recorded
it and who met or spoke with the person, so they are worked and counted like
the rest."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from triage import current
from triage.phone_check import checked_phone, refusal_text
from triage.roles import requires
from triage.state import state
from utvag.repo.contacts import RecordedContact, record_contact
from utvag.repo.staff import members_of
from utvag.store.db import transaction
from utvag.store.models import RECORDED_CHANNELS, CallFrom, ContactChannel, ContactKind, Role

bp = Blueprint("recorded", __name__)

NOTE_MAX = 5000


def _members() -> list[object]:
    with state().session_factory() as db:
        return [member for member in members_of(db, current.team(db).id) if member.is_active]


@bp.route("/contacts/new", methods=["GET", "POST"])
@requires(Role.COORDINATOR)
def new() -> ResponseReturnValue:
    errors: list[str] = []
    form = request.form
    if request.method == "POST":
        recorded, errors = _read_form()
        if recorded is not None:
            with transaction(state().session_factory) as db:
                team = current.team(db)
                fields, unsealed = recorded
                key_id, sealed = current.seal_for_team(db, fields)
                contact, _entries = record_contact(
                    db, team, replace(unsealed, key_id=key_id, sealed_content=sealed)
                )
                current.record(
                    db,
                    "contact_recorded",
                    contact_id=contact.id,
                    details={"channel": contact.channel},
                )
                contact_id = contact.id
            flash(gettext("The contact is recorded and in the queue."))
            return redirect(url_for("contacts.show", contact_id=contact_id))
    return render_template(
        "recorded.html",
        form=form,
        errors=errors,
        channels=RECORDED_CHANNELS,
        members=_members(),
        me=current.member().id,
    ), (400 if errors else 200)


def _read_form() -> tuple[tuple[dict[str, str], RecordedContact] | None, list[str]]:
    """What was typed, checked: the fields to seal and the contact (not yet
    sealed), or the errors."""
    form = request.form
    errors = []
    try:
        kind = ContactKind(form.get("kind", ""))
    except ValueError:
        kind = None
        errors.append(gettext("Choose who the contact is about."))
    try:
        channel = ContactChannel(form.get("channel", ""))
        if channel not in RECORDED_CHANNELS:
            raise ValueError(channel)
    except ValueError:
        channel = None
        errors.append(gettext("Choose how the contact came."))
    phone_typed = form.get("phone", "").strip()
    checked = checked_phone(phone_typed) if phone_typed else None
    if checked is not None and checked.refusal is not None:
        errors.append(refusal_text(checked.refusal))
    phone = checked.number if checked is not None else ""
    wants_callback = form.get("wants_callback") == "1"
    if wants_callback and not phone:
        errors.append(gettext("Write the number to call back."))
    note = form.get("note", "").strip()[:NOTE_MAX]
    if not note and not phone:
        errors.append(gettext("Write a note or a phone number."))
    taken_by = form.get("taken_by", "")
    member_ids = {member.id for member in _members()}  # type: ignore[attr-defined]
    if not taken_by.isdigit() or int(taken_by) not in member_ids:
        errors.append(gettext("Choose who met or spoke with the person."))
    under_18 = {"yes": True, "no": False}.get(form.get("under_18", ""))
    # Anything but an explicit "the hotline's number" is the safe default.
    call_from = (
        CallFrom.HOTLINE if form.get("call_from") == CallFrom.HOTLINE.value else CallFrom.NEUTRAL
    )
    if errors or kind is None or channel is None:
        return None, errors
    sealed = {"phone": phone or "", "name": form.get("name", "").strip()[:100], "note": note}
    unsealed = RecordedContact(
        kind=kind,
        channel=channel,
        wants_callback=wants_callback,
        key_id="",
        sealed_content=b"",
        recorded_by_id=current.member().id,
        taken_by_id=int(taken_by),
        under_18=under_18,
        call_from=call_from,
    )
    return (sealed, unsealed), []
