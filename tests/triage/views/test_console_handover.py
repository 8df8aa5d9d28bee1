"""Handing a contact over to another team, as a lead in a browser without
JavaScript: it asks first, moves everything, and both audit trails say so;
the receiving team finds it marked and opens every field; the sending team's
ids answer 404; the person's receipt code keeps working. Bad input is refused
in Swedish with nothing stored."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import (
    TeamFixture,
    add_member,
    create_malmo,
    csrf_token_from,
    log_in,
    post_form,
    receipt_code_from,
)

from utvag.store.models import (
    AuditEvent,
    Case,
    Contact,
    ContactMessage,
    Handover,
    TeamKey,
)

pytestmark = pytest.mark.usefixtures("during_office_hours")

TODAY = "2026-11-24"
MESSAGE = "Meddelande-Fjällräv-81 jag flyttar"
PHONE = "070-123 45 67"
CALL_NOTE = "Samtal-Järv-27 pratade länge"
CASE_NOTE = "Ärende-Utter-64 bor snart i Malmö"
REPLY = "Svar-Bäver-19 vi ringer snart"
WRITTEN = (MESSAGE, CALL_NOTE, CASE_NOTE, REPLY)


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _worked_contact(
    client: FlaskClient, staff: FlaskClient, session_factory: Any
) -> tuple[int, int, str]:
    """A person asks to be called, is reached, gets a reply, becomes a case
    with notes. Returns the contact, the case and the receipt code."""
    page = post_form(client, "/sv/callback", {"phone": PHONE, "note": MESSAGE})
    code = receipt_code_from(page.get_data(as_text=True))
    with session_factory() as session:
        contact_id = max(session.scalars(select(Contact.id)))
    _post(staff, f"/contacts/{contact_id}/claim")
    _post(staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached", "note": CALL_NOTE})
    _post(staff, f"/contacts/{contact_id}/reply", {"reply": REPLY})
    _post(staff, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        case_id = session.scalars(select(Case.id).where(Case.contact_id == contact_id)).one()
    _post(staff, f"/cases/{case_id}", {"notes": CASE_NOTE})
    return contact_id, case_id, code


def _other_console(console_app: Flask, who: TeamFixture) -> FlaskClient:
    other = console_app.test_client()
    assert log_in(other, who).status_code == 302
    return other


def _state(session_factory: Any) -> tuple[Any, ...]:
    with session_factory() as session:
        return (
            tuple(session.execute(select(Contact.id, Contact.team_id, Contact.key_id)).all()),
            tuple(session.execute(select(Case.id, Case.team_id)).all()),
            session.scalar(select(func.count()).select_from(Handover)),
            session.scalar(select(func.count()).select_from(AuditEvent)),
        )


def test_a_lead_hands_a_contact_over_and_the_receiving_team_opens_everything(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory: Any,
) -> None:
    malmo = create_malmo(session_factory, team.keys)
    contact_id, case_id, code = _worked_contact(client, logged_in_staff, session_factory)
    assert CASE_NOTE in logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)

    page = logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert f"/contacts/{contact_id}/handover" in page
    form = logged_in_staff.get(f"/contacts/{contact_id}/handover").get_data(as_text=True)
    assert "Mottagande team" in form
    assert f'<option value="{malmo.created.team.id}">Malmö</option>' in form
    assert "Vägvalet</option>" not in form  # not the own team
    choice = {"team": str(malmo.created.team.id), "consent": "yes", "consent_given_on": TODAY}
    asked = _post(logged_in_staff, f"/contacts/{contact_id}/handover", choice)
    assert f"Lämna över kontakt {contact_id} till Malmö?" in asked.get_data(as_text=True)
    with session_factory() as session:  # asking changes nothing
        assert session.get(Contact, contact_id).team_id == team.created.team.id  # type: ignore[union-attr]
    done = _post(logged_in_staff, f"/contacts/{contact_id}/handover", {**choice, "confirm": "yes"})
    assert done.status_code == 302
    queue = logged_in_staff.get(done.headers["Location"]).get_data(as_text=True)
    assert "är överlämnad till Malmö" in queue

    # The sending team: its ids are 404 now; it keeps a line without content.
    assert logged_in_staff.get(f"/contacts/{contact_id}").status_code == 404
    assert logged_in_staff.get(f"/cases/{case_id}").status_code == 404
    closed = logged_in_staff.get("/queue?view=closed").get_data(as_text=True)
    assert "överlämnat till Malmö" in closed
    assert not any(text in closed for text in WRITTEN)

    # The receiving team: marked in the queue, every field opens.
    mira = _other_console(console_app, malmo)
    news = mira.get("/queue?view=news").get_data(as_text=True)
    assert f"#{contact_id}" in news
    assert "överlämnad från Vägvalet" in news
    contact_page = mira.get(f"/contacts/{contact_id}").get_data(as_text=True)
    for shown in (MESSAGE, PHONE, CALL_NOTE, REPLY, "Överlämnad från", "personen sa ja 2026-11-24"):
        assert shown in contact_page, shown
    assert CASE_NOTE in mira.get(f"/cases/{case_id}").get_data(as_text=True)
    assert mira.get(f"/contacts/{contact_id}/handover").status_code == 200  # theirs now

    # Both audit trails, with no content.
    with session_factory() as session:
        events = {
            event.action: event
            for event in session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action.in_(("handed_over", "handover_received"))
                )
            )
        }
    assert events["handed_over"].team_id == team.created.team.id
    assert events["handed_over"].details["to"] == "Malmö"
    assert events["handover_received"].team_id == malmo.created.team.id
    assert events["handover_received"].details["from"] == "Vägvalet"
    for event in events.values():
        assert event.contact_id == contact_id
        assert event.details["consent_given_on"] == TODAY
        assert not any(text in repr(event.details) for text in WRITTEN)
    assert "överlämnat till ett annat team" in logged_in_staff.get("/audit").get_data(as_text=True)
    assert "mottaget från ett annat team" in mira.get("/audit").get_data(as_text=True)

    # The person's code still works: the reply from before, and a new
    # message reaches the receiving team, sealed to its key.
    status = post_form(client, "/sv/receipt", {"code": code})
    assert REPLY in status.get_data(as_text=True)
    later = "Senare-Lämmel-55 jag har flyttat nu"
    client.post(
        "/sv/receipt/message",
        data={
            "csrf_token": csrf_token_from(status.get_data(as_text=True)),
            "code": code,
            "message": later,
            "call_me": "no",
        },
    )
    with session_factory() as session:
        malmo_key = session.scalars(
            select(TeamKey.key_id).where(TeamKey.team_id == malmo.created.team.id)
        ).one()
        newest = session.scalars(select(ContactMessage).order_by(ContactMessage.id.desc())).first()
        assert newest is not None
        assert newest.sealed_content[3:11] == bytes.fromhex(malmo_key)
    assert later in mira.get(f"/contacts/{contact_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"team": "999"}, "Det finns inget sådant team"),
        ({"team": "abc"}, "Det finns inget sådant team"),
        ({"team": "99999999999999999999"}, "Det finns inget sådant team"),
        ({"team": "own"}, "Kontakten hör redan till ert team"),
        ({"consent": ""}, "Personen måste ha sagt ja"),
        ({"consent_given_on": ""}, "Skriv dagen då personen sa ja"),
        ({"consent_given_on": "igår"}, "Skriv dagen då personen sa ja"),
        ({"consent_given_on": "2026-12-24"}, "kan inte ligga i framtiden"),
        ({"consent_given_on": "2026-01-01"}, "kan inte vara före dagen då kontakten kom in"),
    ],
)
@pytest.mark.parametrize("confirm", ["", "yes"])
def test_bad_input_is_refused_in_swedish_and_nothing_is_stored(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory: Any,
    form: dict[str, str],
    message: str,
    confirm: str,
) -> None:
    malmo = create_malmo(session_factory, team.keys)
    post_form(client, "/sv/message", {"message": MESSAGE})
    with session_factory() as session:
        contact_id = session.scalars(select(Contact.id)).one()
    chosen = {
        "team": str(malmo.created.team.id),
        "consent": "yes",
        "consent_given_on": TODAY,
        "confirm": confirm,
        **form,
    }
    if chosen["team"] == "own":
        chosen["team"] = str(team.created.team.id)
    before = _state(session_factory)
    response = _post(logged_in_staff, f"/contacts/{contact_id}/handover", chosen)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'role="alert"' in page
    assert _state(session_factory) == before


def test_only_the_lead_hands_over_and_another_teams_contact_is_404(
    client: FlaskClient,
    console_app: Flask,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory: Any,
) -> None:
    malmo = create_malmo(session_factory, team.keys)
    post_form(client, "/sv/message", {"message": MESSAGE})
    with session_factory() as session:
        contact_id = session.scalars(select(Contact.id)).one()
    cora = _other_console(console_app, add_member(session_factory, team, "cora", "coordinator"))
    page = cora.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "lämnar verksamhetsledaren över kontakten" in page
    assert f"/contacts/{contact_id}/handover" not in page
    assert cora.get(f"/contacts/{contact_id}/handover").status_code == 403
    before = _state(session_factory)
    refused = _post(
        cora,
        f"/contacts/{contact_id}/handover",
        {"team": str(malmo.created.team.id), "consent": "yes", "consent_given_on": TODAY},
    )
    assert refused.status_code == 403
    # Malmö's lead cannot hand over Vägvalet's contact: 404, no audit row.
    mira = _other_console(console_app, malmo)
    before = _state(session_factory)
    # (Vägvalet is a team Malmö may hand over to: only the contact is wrong.)
    valid = {"team": str(team.created.team.id), "consent": "yes", "consent_given_on": TODAY}
    for data in ({}, valid, {**valid, "confirm": "yes"}):
        response = _post(mira, f"/contacts/{contact_id}/handover", data)
        assert response.status_code == 404
    assert mira.get(f"/contacts/{contact_id}/handover").status_code == 404
    assert _state(session_factory) == before


def test_with_no_other_team_the_page_says_so(
    client: FlaskClient, logged_in_staff: FlaskClient, session_factory: Any
) -> None:
    post_form(client, "/sv/message", {"message": MESSAGE})
    with session_factory() as session:
        contact_id = session.scalars(select(Contact.id)).one()
    page = logged_in_staff.get(f"/contacts/{contact_id}/handover").get_data(as_text=True)
    assert "Det finns inget annat team" in page
    assert re.search(r'<select id="handover-team"', page) is None
