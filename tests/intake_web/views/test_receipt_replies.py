"""Coming back with the code: status, replies from staff, writing again."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import (
    TeamFixture,
    add_member,
    csrf_token_from,
    log_in,
    post_form,
    receipt_code_from,
)

from utvag.store.models import AuditEvent, ContactMessage, OutboxEntry

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _code(client: FlaskClient) -> str:
    return receipt_code_from(
        post_form(client, "/sv/callback", {"phone": "0701234567"}).get_data(as_text=True)
    )


def test_a_reply_reaches_the_person_with_the_code_and_stays_readable_by_colleagues(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    code = _code(client)
    token = csrf_token_from(logged_in_staff.get("/contacts/1").get_data(as_text=True))
    logged_in_staff.post(
        "/contacts/1/reply", data={"csrf_token": token, "reply": "Vi ringer i morgon kl 10."}
    )

    status = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)

    assert "Vi ringer i morgon kl 10." in status
    with session_factory() as session:
        [reply] = session.scalars(select(ContactMessage))
    assert b"Vi ringer" not in reply.sealed_content
    assert reply.sealed_for_team is not None
    assert b"Vi ringer" not in reply.sealed_for_team
    # What was promised stays visible to the team, as an audited opening.
    colleague = console_app.test_client()
    log_in(colleague, add_member(session_factory, team, "bo", "coordinator"))
    staff_view = colleague.get("/contacts/1").get_data(as_text=True)
    assert "Vi ringer i morgon kl 10." in staff_view
    assert "svar från anna" in staff_view
    with session_factory() as session:
        opened_by = session.scalars(
            select(AuditEvent.actor_name).where(AuditEvent.action == "decrypt")
        ).all()
    assert "bo" in opened_by


def test_the_person_writes_again_and_staff_see_it_in_the_queue(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    code = _code(client)
    page = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    token = csrf_token_from(page)

    sent = client.post(
        "/sv/receipt/message",
        data={
            "csrf_token": token,
            "code": code.replace("-", ""),
            "message": "Ring efter 15 i stället",
        },
    )

    assert sent.status_code == 200
    assert "Ditt meddelande är skickat." in sent.get_data(as_text=True)
    with session_factory() as session:
        [message] = session.scalars(select(ContactMessage))
    assert b"Ring efter" not in message.sealed_content
    assert "nytt meddelande" in logged_in_staff.get("/queue").get_data(as_text=True)
    assert "Ring efter 15 i stället" in logged_in_staff.get("/contacts/1").get_data(as_text=True)
    assert "nytt meddelande" not in logged_in_staff.get("/queue").get_data(as_text=True)


def test_writing_again_needs_the_right_code(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    code = _code(client)
    token = csrf_token_from(post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True))
    response = client.post(
        "/sv/receipt/message",
        data={"csrf_token": token, "code": "AAAABBBBCCCCDDDD", "message": "hej"},
    )
    assert response.status_code == 404
    with session_factory() as session:
        assert session.scalars(select(ContactMessage)).all() == []


def test_an_empty_follow_up_is_explained_and_the_code_kept(
    client: FlaskClient, team: TeamFixture
) -> None:
    code = _code(client)
    token = csrf_token_from(post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True))
    response = client.post(
        "/sv/receipt/message", data={"csrf_token": token, "code": code, "message": "  "}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Skriv ditt meddelande." in html
    assert f'value="{code.replace("-", "")}"' in html


def test_wrong_codes_are_limited_per_network_and_a_right_code_never_is(
    client: FlaskClient, team: TeamFixture
) -> None:
    code = _code(client)
    guesser = {"REMOTE_ADDR": "203.0.113.50"}
    token = csrf_token_from(client.get("/sv/receipt", environ_base=guesser).get_data(as_text=True))
    for _ in range(20):
        client.post(
            "/sv/receipt",
            data={"csrf_token": token, "code": "AAAA-BBBB-CCCC-DDDD"},
            environ_base=guesser,
        )

    stopped = client.post(
        "/sv/receipt",
        data={"csrf_token": token, "code": "AAAA-BBBB-CCCC-DDDE"},
        environ_base=guesser,
    )
    # Was: the right code refused too. A code proves itself, so refusing it
    # only locked the person out of their replies behind someone else's flood.
    right = client.post(
        "/sv/receipt", data={"csrf_token": token, "code": code}, environ_base=guesser
    )
    other = client.post(
        "/sv/receipt",
        data={"csrf_token": token, "code": "AAAA-BBBB-CCCC-DDDE"},
        environ_base={"REMOTE_ADDR": "198.51.100.60"},
    )

    assert stopped.status_code == 429
    assert "Vi hittade inte koden" in stopped.get_data(as_text=True)
    assert right.status_code == 200
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("outcome", "text"),
    [
        ("no_answer", "Vi har försökt ringa dig men inte nått dig"),
        ("wrong_number", "Numret du gav fungerade inte"),
        ("reached", "Vi har pratat med dig"),
    ],
)
def test_the_status_says_what_happened_in_plain_words(
    client: FlaskClient, logged_in_staff: FlaskClient, outcome: str, text: str
) -> None:
    code = _code(client)
    token = csrf_token_from(logged_in_staff.get("/contacts/1").get_data(as_text=True))
    logged_in_staff.post("/contacts/1/claim", data={"csrf_token": token})
    logged_in_staff.post("/contacts/1/attempts", data={"csrf_token": token, "outcome": outcome})

    assert text in post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)


def _close_as_reached(staff: FlaskClient) -> None:
    token = csrf_token_from(staff.get("/contacts/1").get_data(as_text=True))
    staff.post("/contacts/1/claim", data={"csrf_token": token})
    staff.post("/contacts/1/attempts", data={"csrf_token": token, "outcome": "reached"})
    staff.post(
        "/contacts/1/close", data={"csrf_token": token, "status": "closed", "confirm": "yes"}
    )


def _follow_up(client: FlaskClient, code: str, **fields: str):  # type: ignore[no-untyped-def]
    page = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    return client.post(
        "/sv/receipt/message",
        data={"csrf_token": csrf_token_from(page), "code": code, **fields},
    )


def test_asking_to_be_called_again_puts_the_same_contact_back_in_the_call_queue(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    app_context,  # type: ignore[no-untyped-def]
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    import worker
    from utvag.store.models import Contact

    code = _code(client)
    _close_as_reached(logged_in_staff)

    # Was a London number: any country's number was dialled, which is toll fraud's
    # open door; only the install's countries (Sweden by default) are called now.
    sent = _follow_up(client, code, call_me="new", phone="+46 31 123 45 67")

    assert sent.status_code == 200
    assert "Vi har öppet nu och ringer dig så snart vi kan." in sent.get_data(as_text=True)
    with session_factory() as session:
        assert session.get(Contact, 1).status == "closed"  # the public app changes no status
    worker.build_worker(app_context).work(burst=True)
    with session_factory() as session:
        contacts = session.scalars(select(Contact)).all()
    assert len(contacts) == 1  # no new contact
    assert contacts[0].status == "received"
    assert contacts[0].attempt_count == 0
    queue = logged_in_staff.get("/queue").get_data(as_text=True)
    assert 'href="/contacts/1"' in queue
    page = logged_in_staff.get("/contacts/1").get_data(as_text=True)
    assert "031-123 45 67" in page
    token = csrf_token_from(page)
    logged_in_staff.post("/contacts/1/claim", data={"csrf_token": token})
    logged_in_staff.post("/contacts/1/attempts", data={"csrf_token": token, "outcome": "reached"})
    with session_factory() as session:
        assert session.get(Contact, 1).status == "reached"
        [entry_id] = session.scalars(
            select(OutboxEntry.id).where(OutboxEntry.job_name == "call_again_requested")
        )
    # The outbox may deliver a job twice: the second time reopens nothing.
    from utvag.jobs.notices import call_again_requested

    call_again_requested(entry_id, 1)
    with session_factory() as session:
        assert session.get(Contact, 1).status == "reached"


def test_the_same_number_needs_one_given_before_and_a_call_needs_no_message(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.store.models import Contact

    page = post_form(client, "/sv/message", {"message": "Hej"}).get_data(as_text=True)
    code = receipt_code_from(page)
    status = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    assert 'value="same"' not in status  # no number was given: not offered
    assert 'value="new"' in status
    refused = _follow_up(client, code, call_me="same")
    assert refused.status_code == 400
    assert "du gav inget nummer då" in refused.get_data(as_text=True)
    bad_number = _follow_up(client, code, call_me="new", phone="12345")
    assert bad_number.status_code == 400
    empty = _follow_up(client, code, call_me="no")
    assert empty.status_code == 400
    with session_factory() as session:
        assert session.get(Contact, 1).wants_callback is False
        assert session.scalars(select(ContactMessage)).all() == []

    callback_code = _code(client)
    status = post_form(client, "/sv/receipt", {"code": callback_code}).get_data(as_text=True)
    assert 'value="same"' in status
    assert _follow_up(client, callback_code, call_me="same").status_code == 200
