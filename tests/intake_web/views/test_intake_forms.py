"""The public forms: sealed in the request, receipt shown once, bad input stored nowhere."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, post_form, receipt_code_from, team_keys

from crypto.opening import open_sealed
from utvag.store.models import Contact, OutboxEntry

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _contacts(session_factory) -> list[Contact]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(Contact).order_by(Contact.id)))


def _count(session_factory, model) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_root_sends_people_to_the_swedish_start_page(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sv/")


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_start_page_speaks_the_language_of_its_url(
    client: FlaskClient, team: TeamFixture, lang: str
) -> None:
    response = client.get(f"/{lang}/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    assert "Set-Cookie" not in response.headers


def test_unknown_language_is_not_found(client: FlaskClient) -> None:
    assert client.get("/xx/").status_code == 404
    assert client.get("/xx/message").status_code == 404


def test_message_is_sealed_to_the_team_key_and_receipt_shown(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,
    app_context,  # type: ignore[no-untyped-def]
) -> None:
    response = post_form(client, "/en/message", {"message": "Jag vill ut. Ring inte hem."})

    assert response.status_code == 200
    code = receipt_code_from(response.get_data(as_text=True))
    assert len(code.replace("-", "")) == 16
    [contact] = _contacts(session_factory)
    assert contact.kind == "defector"
    assert contact.channel == "web"
    assert contact.wants_callback is False
    assert b"Ring inte hem" not in contact.sealed_content
    # Only the team's private key opens it.
    document = json.loads(open_sealed(team_keys(session_factory, team), contact.sealed_content))
    assert document == {"v": 1, "fields": {"message": "Jag vill ut. Ring inte hem."}}


def test_callback_normalises_a_swedish_number_before_sealing(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = post_form(
        client,
        "/sv/callback",
        {"phone": "070-123 45 67", "window": "afternoon", "name": "Sam", "kind": "relative"},
    )

    assert response.status_code == 200
    [contact] = _contacts(session_factory)
    assert contact.wants_callback is True
    assert contact.callback_window == "afternoon"
    assert contact.kind == "relative"
    assert b"701234567" not in contact.sealed_content


def test_a_contact_and_its_outbox_job_are_written_together(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,
    redis_client,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/en/callback", {"phone": "+46 70 123 45 67"})

    with session_factory() as session:
        [entry] = session.scalars(select(OutboxEntry))
        [contact] = session.scalars(select(Contact))
    assert entry.job_name == "notify_new_contact"
    assert entry.job_args == [contact.id]
    assert entry.enqueued_at is not None
    assert redis_client.llen("rq:queue:notifications") == 1


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/en/callback", {"phone": ""}, "Enter the phone number we should call."),
        ("/en/callback", {"phone": "12"}, "Enter a phone number we can call"),
        ("/en/callback", {"phone": "070 123"}, "Enter a phone number we can call"),
        ("/en/callback", {"phone": "+46" + "7" * 60}, "That phone number is too long."),
        ("/en/message", {"message": "   "}, "Write your message."),
        ("/en/message", {"message": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_stored(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    path: str,
    data: dict[str, str],
    message: str,
) -> None:
    response = post_form(client, path, data)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert message in html
    assert _count(session_factory, Contact) == 0
    assert _count(session_factory, OutboxEntry) == 0


def test_bad_input_is_explained_in_swedish_on_the_swedish_page(
    client: FlaskClient, team: TeamFixture
) -> None:
    response = post_form(client, "/sv/callback", {"phone": "12"})

    html = response.get_data(as_text=True)
    assert "Det finns ett problem" in html
    assert "Skriv ett telefonnummer som vi kan ringa" in html


def test_what_was_typed_is_shown_again_after_an_error(
    client: FlaskClient, team: TeamFixture
) -> None:
    response = post_form(client, "/en/callback", {"phone": "12", "name": "Sam"})
    assert 'value="Sam"' in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_stores_nothing(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = client.post("/en/message", data={"message": "hello"})

    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    assert _count(session_factory, Contact) == 0


def test_without_a_team_nothing_is_stored_and_the_person_is_told(
    client: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = post_form(client, "/en/message", {"message": "hello"})

    assert response.status_code == 503
    assert "Nothing you wrote has been saved" in response.get_data(as_text=True)
    assert _count(session_factory, Contact) == 0


def test_redis_down_still_stores_the_contact_for_the_relay(
    team: TeamFixture,
    config,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from intake_web import create_app

    app = create_app(config.with_changes(redis_url="redis://127.0.0.1:1/0"))

    response = post_form(app.test_client(), "/en/message", {"message": "hello"})
    app.extensions["utvag"].engine.dispose()

    assert response.status_code == 200
    with session_factory() as session:
        [entry] = session.scalars(select(OutboxEntry))
    assert entry.enqueued_at is None
    assert entry.completed_at is None


def test_receipt_code_finds_the_contact_however_it_is_typed(
    client: FlaskClient, team: TeamFixture
) -> None:
    code = receipt_code_from(
        post_form(client, "/en/message", {"message": "hello"}).get_data(as_text=True)
    )
    typed = code.lower().replace("-", " ")

    response = post_form(client, "/sv/receipt", {"code": typed})

    assert response.status_code == 200
    assert "Vi har tagit emot" in response.get_data(as_text=True)


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD", "not a code", "1234"])
def test_unknown_or_malformed_codes_get_one_neutral_answer(
    client: FlaskClient, team: TeamFixture, code: str
) -> None:
    response = post_form(client, "/en/receipt", {"code": code})

    assert response.status_code == 404
    assert "We could not find that code" in response.get_data(as_text=True)


def test_the_receipt_is_never_stored_in_clear(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    code = receipt_code_from(
        post_form(client, "/en/message", {"message": "hello"}).get_data(as_text=True)
    )
    [contact] = _contacts(session_factory)
    assert code.replace("-", "") not in contact.receipt_digest.upper()
    assert len(contact.receipt_digest) == 64


def test_public_pages_send_strict_headers(client: FlaskClient, team: TeamFixture) -> None:
    for path in ["/sv/", "/sv/message", "/sv/callback", "/sv/receipt"]:
        headers = client.get(path).headers
        assert headers["Cache-Control"] == "no-store"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "redis": "ok"}
