"""A public form posted without its token, or with a wrong one (another
website's forged POST, or a page left open too long): the words that arrived
are shown to copy, escaped and read-only, above an empty form with a fresh
token. Never a form filled in from the refused request; nothing stored."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, csrf_token_from, post_form, receipt_code_from

from utvag.store.models import Contact, ContactMessage, OutboxEntry

pytestmark = pytest.mark.usefixtures("during_office_hours")

# What a forging site would post: its words, with markup that must stay text.
FORGED_TEXT = '<b>Ring mig</b> & "nu" – ring 0900 123 45 67'
FORGED_ESCAPED = "&lt;b&gt;Ring mig&lt;/b&gt; &amp; &#34;nu&#34; – ring 0900 123 45 67"
FORGED_NUMBER = "070-999 00 11"
EXPLANATION = {
    "sv": "en annan webbplats kan ha försökt skicka den i ditt namn",
    "en": "another website may have tried to send it in your name",
    "ar": "ربما حاول موقع آخر إرساله باسمك",
}


def _count(session_factory, model) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _stored(session_factory) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return tuple(  # type: ignore[return-value]
        _count(session_factory, model) for model in (Contact, ContactMessage, OutboxEntry)
    )


def _wrong_tokens(intake_app: Flask) -> list[dict[str, str]]:
    """No token; a made-up one; a real token from another browser's session."""
    other = intake_app.test_client()
    real_elsewhere = csrf_token_from(other.get("/sv/message").get_data(as_text=True))
    return [{}, {"csrf_token": "forged"}, {"csrf_token": real_elsewhere}]


def _field_values(html: str, names: tuple[str, ...]) -> dict[str, str]:
    """What each named input or textarea of the page's form holds."""
    values = {}
    for name in names:
        textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
        if textarea:
            values[name] = textarea.group(1).strip()
            continue
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert tag, f"the page has no field {name}"
        value = re.search(r'value="([^"]*)"', tag.group(0))
        values[name] = value.group(1) if value else ""
    return values


def _shown_to_copy(html: str) -> list[str]:
    """The read-only boxes outside the form: they have no name, so never post."""
    return re.findall(r'<textarea id="typed-\d+" rows="\d+" readonly>(.*?)</textarea>', html, re.S)


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_a_forged_call_back_request_comes_back_as_text_to_copy_and_an_empty_form(
    client: FlaskClient,
    intake_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    lang: str,
) -> None:
    for token in _wrong_tokens(intake_app):
        response = client.post(
            f"/{lang}/callback",
            data={**token, "phone": FORGED_NUMBER, "note": FORGED_TEXT, "name": "Eve"},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert EXPLANATION[lang] in html
        assert _shown_to_copy(html) == [FORGED_NUMBER, "Eve", FORGED_ESCAPED]
        assert FORGED_TEXT not in html  # never unescaped
        assert _field_values(html, ("phone", "name", "note")) == {
            "phone": "",
            "name": "",
            "note": "",
        }
        assert csrf_token_from(html) not in ("", token.get("csrf_token"))
    assert _stored(session_factory) == (0, 0, 0)


def test_a_forged_message_comes_back_as_text_to_copy_and_an_empty_form(
    client: FlaskClient,
    intake_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    for token in _wrong_tokens(intake_app):
        response = client.post("/en/message", data={**token, "message": FORGED_TEXT})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert _shown_to_copy(html) == [FORGED_ESCAPED]
        assert _field_values(html, ("message",)) == {"message": ""}
        assert csrf_token_from(html)
    assert _stored(session_factory) == (0, 0, 0)


def test_an_empty_fresh_form_from_that_page_sends(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    """The person who only left the page open too long: copy, paste, send."""
    refused = client.post("/sv/message", data={"message": "hej"}).get_data(as_text=True)
    sent = client.post(
        "/sv/message", data={"csrf_token": csrf_token_from(refused), "message": "hej"}
    )
    assert sent.status_code == 200
    receipt_code_from(sent.get_data(as_text=True))


def test_a_forged_code_look_up_shows_no_code_and_looks_nothing_up(
    client: FlaskClient,
    intake_app: Flask,
    team: TeamFixture,
) -> None:
    code = receipt_code_from(
        post_form(client, "/sv/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    )
    for token in _wrong_tokens(intake_app):
        response = client.post("/en/receipt", data={**token, "code": code})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert code not in html  # the code opens replies: never written back
        assert "What has happened" not in html  # no status page
        assert _field_values(html, ("code",)) == {"code": ""}
        assert "fill in the empty form" in html


def test_a_forged_follow_up_with_the_forgers_code_writes_into_no_contact(
    client: FlaskClient,
    intake_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    """A forger could post their own code with the person's browser: the page
    must neither open the forger's contact nor offer a form into it."""
    forgers_code = receipt_code_from(
        post_form(client, "/sv/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    )
    before = _stored(session_factory)
    for token in _wrong_tokens(intake_app):
        response = client.post(
            "/en/receipt/message",
            data={
                **token,
                "code": forgers_code,
                "message": FORGED_TEXT,
                "call_me": "new",
                "phone": FORGED_NUMBER,
            },
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert forgers_code not in html
        assert "What has happened" not in html
        assert 'name="message"' not in html  # only the empty code form
        assert _shown_to_copy(html) == [FORGED_ESCAPED, FORGED_NUMBER]
        assert _field_values(html, ("code",)) == {"code": ""}
    assert _stored(session_factory) == before


def test_every_public_post_needs_its_token_or_twilios_signature(
    client: FlaskClient, intake_app: Flask, team: TeamFixture
) -> None:
    """Walks the URL map: a POST route added later is covered or fails here."""
    posts = [rule for rule in intake_app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    assert len(posts) >= 4
    for rule in posts:
        path = rule.rule.replace("<lang>", "sv").replace("<team>", team.slug)
        status = client.post(path, data={"message": "x"}).status_code
        expected = 404 if rule.rule.startswith("/telephony/") else 400  # no telephony here
        assert status == expected, rule.rule
