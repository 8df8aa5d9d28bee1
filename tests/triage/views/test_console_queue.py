"""The queue in the console, driven like a browser without JavaScript."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, add_member, csrf_token_from, lead_decides, log_in, post_form

from utvag.store.models import AuditEvent, Case, CaseCheck, Contact, ContactStatus, StaffMember

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture(autouse=True)
def _the_lead_decides(team: TeamFixture, session_factory) -> None:  # type: ignore[no-untyped-def]
    """These tests are of the lead's own decisions; where social services
    decide, tests/triage/views/test_case_investigation.py."""
    lead_decides(session_factory, team)


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _contact(session_factory, contact_id: int) -> Contact:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.get(Contact, contact_id)


def _callback(client: FlaskClient, **fields: str) -> int:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67", **fields})
    with client.application.extensions["utvag"].session_factory() as session:
        return max(session.scalars(select(Contact.id)))


def test_queue_lists_open_contacts_due_first(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    afternoon = _callback(client, window="afternoon")
    asap = _callback(client)

    html = logged_in_staff.get("/queue").get_data(as_text=True)

    order = [int(i) for i in re.findall(r'href="/contacts/(\d+)"', html)]
    assert order == [asap, afternoon]
    assert 'datetime="2026-11-24T12:00:00+01:00"' in html


def test_an_overdue_contact_is_marked(
    client: FlaskClient,
    console_client: FlaskClient,
    team: TeamFixture,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    _callback(client)
    time_machine.move_to("2026-11-24T14:00:00+01:00", tick=True)
    log_in(console_client, team)
    html = console_client.get("/queue").get_data(as_text=True)
    assert "försenad" in html
    assert "1 kontakt att ringa nu" in html


def test_the_lease_shows_who_is_calling(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    contact_id = _callback(client)
    assert _post(logged_in_staff, f"/contacts/{contact_id}/claim").status_code == 302
    assert "Logga samtalet" in logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)

    colleague = console_app.test_client()
    log_in(colleague, add_member(session_factory, team, "bo", "coordinator"))
    page = colleague.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "anna ringer, till" in page
    assert "Jag ringer nu" not in page
    _post(colleague, f"/contacts/{contact_id}/claim")
    assert "anna ringer redan" in colleague.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert ">anna</td>" in colleague.get("/queue").get_data(as_text=True)


def test_an_unanswered_call_is_logged_and_reslotted(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    contact_id = _callback(client)
    _post(logged_in_staff, f"/contacts/{contact_id}/claim")

    response = _post(
        logged_in_staff,
        f"/contacts/{contact_id}/attempts",
        {"outcome": "no_answer", "note": "Röstbrevlåda med ett annat namn"},
    )

    assert response.status_code == 302
    contact = _contact(session_factory, contact_id)
    assert contact.status == ContactStatus.WAITING
    assert contact.attempt_count == 1
    page = logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "Inget svar" in page
    assert "Röstbrevlåda med ett annat namn" in page
    with session_factory() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "claim" in actions
    assert "call_outcome" in actions


def test_a_reached_defector_becomes_a_pending_case_with_the_team_checklist(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    contact_id = _callback(client)
    _post(logged_in_staff, f"/contacts/{contact_id}/claim")
    _post(logged_in_staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})

    response = _post(logged_in_staff, f"/contacts/{contact_id}/case")

    assert response.status_code == 302
    with session_factory() as session:
        case = session.scalars(select(Case)).one()
    page = logged_in_staff.get(f"/cases/{case.id}").get_data(as_text=True)
    for criterion in [
        "Är motiverad",
        "Har samtyckt till informationsutbyte",
        "Har skrivit under formuläret med förutsättningar",
        "Är inte en bevisperson",
    ]:
        assert criterion in page
    assert _contact(session_factory, contact_id).status == ContactStatus.CASE_OPENED


def test_a_case_is_accepted_only_when_every_criterion_is_met(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    contact_id = _callback(client)
    _post(logged_in_staff, f"/contacts/{contact_id}/claim")
    _post(logged_in_staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    _post(logged_in_staff, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        case = session.scalars(select(Case)).one()
    item_ids = re.findall(
        r'name="check-(\d+)"', logged_in_staff.get(f"/cases/{case.id}").get_data(as_text=True)
    )
    items = sorted(set(item_ids))

    with session_factory() as session:
        me = session.scalars(select(StaffMember.id)).first()
    accept = {"contact_person": str(me), "mapping_due_on": "2026-12-22", "confirm": "yes"}
    _post(logged_in_staff, f"/cases/{case.id}/accept", accept)
    assert "Alla förutsättningar måste vara uppfyllda" in logged_in_staff.get(
        f"/cases/{case.id}"
    ).get_data(as_text=True)
    with session_factory() as session:
        assert session.get(Case, case.id).status == "pending"

    form = {f"check-{item}": "met" for item in items}
    form["police_meeting_at"] = "2026-12-02T10:00"
    form[f"note-{items[0]}"] = "Har berättat om sin vilja att lämna"
    _post(logged_in_staff, f"/cases/{case.id}", form)
    _post(logged_in_staff, f"/cases/{case.id}/accept", accept)

    with session_factory() as session:
        saved = session.get(Case, case.id)
    assert saved.status == "accepted"
    assert saved.police_meeting_at.isoformat() == "2026-12-02T09:00:00+00:00"
    page = logged_in_staff.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Har berättat om sin vilja att lämna" in page
    with session_factory() as session:
        sealed_notes = session.scalars(select(CaseCheck.sealed_note)).all()
    assert all(b"Har ber" not in note for note in sealed_notes if note)


def test_a_relatives_call_ends_as_information_given_or_a_contact_of_its_own(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    informed = _callback(client, kind="relative")
    referring = _callback(client, kind="relative")
    for contact_id in (informed, referring):
        _post(logged_in_staff, f"/contacts/{contact_id}/claim")
        _post(logged_in_staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})

    _post(
        logged_in_staff, f"/contacts/{informed}/close", {"status": "info_given", "confirm": "yes"}
    )
    response = _post(
        logged_in_staff,
        f"/contacts/{referring}/referral",
        {"phone": "0731234567", "note": "Sonen vill ut, ring efter 14"},
    )

    assert _contact(session_factory, informed).status == ContactStatus.INFO_GIVEN
    assert _contact(session_factory, referring).status == ContactStatus.INFO_GIVEN
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    referral = _contact(session_factory, new_id)
    assert referral.channel == "referral"
    assert referral.kind == "defector"
    assert referral.referred_from_id == referring
    assert referral.receipt_digest is None
    assert b"0731234567" not in referral.sealed_content
    page = logged_in_staff.get(f"/contacts/{new_id}").get_data(as_text=True)
    assert "073-123 45 67" in page
    assert "Sonen vill ut" in page


def test_a_relative_cannot_become_a_case(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    contact_id = _callback(client, kind="relative")
    _post(logged_in_staff, f"/contacts/{contact_id}/claim")
    _post(logged_in_staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    _post(logged_in_staff, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        assert session.scalars(select(Case)).all() == []


def test_a_message_is_marked_handled(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "Hej"})
    _post(logged_in_staff, "/contacts/1/close", {"status": "closed", "confirm": "yes"})
    assert _contact(session_factory, 1).status == ContactStatus.CLOSED
    assert 'href="/contacts/1"' not in logged_in_staff.get("/queue").get_data(as_text=True)
    assert 'href="/contacts/1"' in logged_in_staff.get("/queue?view=closed").get_data(as_text=True)


def test_the_poll_answers_counts_only(client: FlaskClient, logged_in_staff: FlaskClient) -> None:
    _callback(client)
    data = logged_in_staff.get("/queue/poll").get_json()
    assert set(data) == {"due_now", "version"}
    assert data["due_now"] == 1


def test_the_queue_page_works_without_javascript(logged_in_staff: FlaskClient) -> None:
    response = logged_in_staff.get("/queue")
    html = response.get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html  # never imposed
    assert 'href="/queue?auto=1"' in html
    chosen = logged_in_staff.get("/queue?auto=1").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="60">' in chosen
    assert "Sluta ladda om" in chosen
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    script = logged_in_staff.get("/static/queue.js")
    assert script.status_code == 200
    script.close()


def test_closing_a_contact_asks_first(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "Hej"})
    asked = _post(logged_in_staff, "/contacts/1/close", {"status": "closed"})
    page = asked.get_data(as_text=True)
    assert "Stänga kontakt 1?" in page
    assert 'name="status" value="closed"' in page
    assert _contact(session_factory, 1).status == ContactStatus.RECEIVED
