"""Reading contacts: decrypted only in the console, every opening audited."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, log_in, post_form

from utvag.store.models import AuditEvent, Contact


def test_queue_links_each_contact_with_its_due_time(
    client: FlaskClient, logged_in_staff: FlaskClient, team: TeamFixture
) -> None:
    post_form(client, "/sv/callback", {"phone": "0701234567"})
    post_form(client, "/sv/message", {"message": "Hej"})

    html = logged_in_staff.get("/queue").get_data(as_text=True)
    html += logged_in_staff.get("/queue?view=messages").get_data(as_text=True)

    links = re.findall(r'href="/contacts/(\d+)"', html)
    assert sorted(links) == ["1", "2"]  # the call-back to call, the message apart
    times = re.findall(r'<time datetime="([^"]+)"', html)
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", t) for t in times)


def test_contact_page_shows_the_decrypted_message_and_number(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(
        client,
        "/en/callback",
        {"phone": "070-123 45 67", "name": "Sam", "note": "Inte efter 15 <b>tack</b>"},
    )
    post_form(client, "/en/message", {"message": "Jag vill lämna gänget."})
    with session_factory() as session:
        callback_id, message_id = session.scalars(select(Contact.id).order_by(Contact.id))

    callback_page = logged_in_staff.get(f"/contacts/{callback_id}").get_data(as_text=True)
    message_page = logged_in_staff.get(f"/contacts/{message_id}").get_data(as_text=True)

    assert "070-123 45 67" in callback_page
    assert 'href="tel:+46701234567"' in callback_page
    assert "Sam" in callback_page
    assert "Inte efter 15 &lt;b&gt;tack&lt;/b&gt;" in callback_page
    assert "Jag vill lämna gänget." in message_page
    with session_factory() as session:
        opened = session.scalars(
            select(AuditEvent.contact_id).where(AuditEvent.action == "decrypt")
        ).all()
    assert sorted(opened) == [callback_id, message_id]


def test_another_teams_contact_is_not_found(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from crypto.kdf import TEST_COST
    from utvag.repo.team_setup import create_team
    from utvag.store.db import transaction

    with transaction(session_factory) as session:
        create_team(
            session,
            slug="goteborg",
            name="Kunskapscentrum",
            admin_username="kim",
            admin_password="another long password",
            hours_spec="mon-fri 09:00-15:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=team.keys,
        )
    from intake_web import create_app

    other_site = create_app(
        client.application.extensions["utvag"].config.with_changes(team_slug="goteborg"),
        redis_client=client.application.extensions["utvag"].redis,
    )
    post_form(other_site.test_client(), "/sv/message", {"message": "till Göteborg"})
    other_site.extensions["utvag"].engine.dispose()
    with session_factory() as session:
        [contact_id] = session.scalars(select(Contact.id))

    assert logged_in_staff.get(f"/contacts/{contact_id}").status_code == 404
    queue = logged_in_staff.get("/queue").get_data(as_text=True)
    assert not re.search(r'href="/contacts/\d', queue)


def test_queue_shows_when_the_office_opens_outside_hours(
    console_client: FlaskClient,
    team: TeamFixture,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    time_machine.move_to("2026-12-24T10:00:00+01:00")  # julafton
    log_in(console_client, team)
    html = console_client.get("/queue").get_data(as_text=True)
    assert 'Stängt till <time datetime="2026-12-28T08:00:00+01:00">' in html


@pytest.mark.usefixtures("during_office_hours")
def test_an_expired_form_keeps_the_note_to_copy_and_leads_back_to_its_page(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    """The page used to be a "Send again" form holding every posted field and
    a fresh token: a forged cross-site POST came back one click from being
    carried out. Now the note is there to copy, and the way back is a link."""
    from utvag.store.models import CallAttempt

    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    token = csrf_token_from(logged_in_staff.get("/contacts/1").get_data(as_text=True))
    logged_in_staff.post("/contacts/1/claim", data={"csrf_token": token})
    long_note = "Pappan svarade och sa att hon inte bor kvar, ring efter 15 på mobilen"

    expired = logged_in_staff.post(
        "/contacts/1/attempts",
        data={"csrf_token": "an-old-token", "outcome": "no_answer", "note": long_note},
    )

    page = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert "Inget sparades" in page
    assert f"readonly>{long_note}</textarea>" in page
    main = page.split("<main", 1)[1]
    assert "<form" not in main  # no form to resend, no fresh token (the header's log-out aside)
    assert 'name="outcome"' not in page
    assert '<a href="/contacts/1">Tillbaka till sidan</a>' in page
    with session_factory() as session:
        assert session.scalars(select(CallAttempt)).all() == []

    again = logged_in_staff.post(
        "/contacts/1/attempts",
        data={"csrf_token": token, "outcome": "no_answer", "note": long_note},
    )
    assert again.status_code == 302
    assert long_note in logged_in_staff.get("/contacts/1").get_data(as_text=True)


def test_an_expired_password_form_never_writes_the_password_back(
    logged_in_staff: FlaskClient,
) -> None:
    expired = logged_in_staff.post(
        "/account/password",
        data={"csrf_token": "old", "password": "det-gamla-lösenordet", "new_password": "x" * 20},
    )
    page = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert "det-gamla-lösenordet" not in page
    assert "x" * 20 not in page
