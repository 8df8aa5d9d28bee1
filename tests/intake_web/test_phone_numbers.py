"""Toll fraud: the public site and the hotline keep no number we would not
call (premium rate, satellite, personal numbers, other countries), and say
so in the person's language; nothing is stored half-way.

The numbers are real examples from phonenumbers' metadata; the check itself
is tested in tests/utvag/test_phones.py."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, csrf_token_from, post_form, receipt_code_from, team_keys
from twilio.request_validator import RequestValidator

from crypto.opening import open_sealed
from utvag.config import Config, TwilioConfig
from utvag.store.models import Contact, ContactMessage, OutboxEntry

pytestmark = pytest.mark.usefixtures("during_office_hours")

NEVER_CALLED = [
    "0900 123 45 67",  # Swedish premium rate
    "0939 123 456",
    "0944 123 456",
    "+881 6 1234 5678",  # satellite
    "+882 34 21234",
    "+44 70 1234 5678",  # UK personal number
]
NORWEGIAN_MOBILE = "+47 412 34 567"
NORDIC = ("SE", "NO", "DK", "FI", "IS")
NOT_CALLABLE_WORDS = {
    "sv": "Den sortens nummer kan vi inte ringa",
    "en": "We cannot call this kind of number",
    "ar": "لا يمكننا الاتصال بهذا النوع من الأرقام",
}
OTHER_COUNTRY_WORDS = {
    "sv": "Vi kan bara ringa nummer i Sverige.",
    "en": "We can only call numbers in Sweden.",
    "ar": "لا يمكننا الاتصال إلا بأرقام في السويد.",
}


def _count(session_factory, model) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("typed", NEVER_CALLED)
def test_the_callback_form_refuses_a_number_we_never_call_in_each_language(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    typed: str,
) -> None:
    for lang, words in NOT_CALLABLE_WORDS.items():
        response = post_form(client, f"/{lang}/callback", {"phone": typed, "note": "ring mig"})
        assert response.status_code == 400, lang
        assert words in response.get_data(as_text=True), lang
    assert _count(session_factory, Contact) == 0
    assert _count(session_factory, OutboxEntry) == 0


def test_a_number_in_another_country_is_refused_naming_the_countries_we_call(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    for lang, words in OTHER_COUNTRY_WORDS.items():
        response = post_form(client, f"/{lang}/callback", {"phone": NORWEGIAN_MOBILE})
        assert response.status_code == 400, lang
        assert words in response.get_data(as_text=True), lang
    assert _count(session_factory, Contact) == 0


@pytest.mark.parametrize("typed", ["070-123 45 67", "08-123 456 78"])
def test_a_swedish_mobile_or_landline_is_taken(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    typed: str,
) -> None:
    page = post_form(client, "/sv/callback", {"phone": typed})
    assert page.status_code == 200
    receipt_code_from(page.get_data(as_text=True))
    assert _count(session_factory, Contact) == 1


@pytest.fixture
def nordic_site(config: Config, redis_client) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The public site of an install that calls the Nordic countries."""
    from intake_web import create_app

    app = create_app(config.with_changes(call_countries=NORDIC), redis_client=redis_client)
    yield app
    app.extensions["utvag"].engine.dispose()


def test_an_install_that_calls_the_nordic_countries_takes_a_norwegian_mobile(
    nordic_site: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    client = nordic_site.test_client()
    form = client.get("/sv/callback").get_data(as_text=True)
    assert "i Sverige, Norge, Danmark, Finland och Island" in form
    assert post_form(client, "/sv/callback", {"phone": NORWEGIAN_MOBILE}).status_code == 200
    refused = post_form(client, "/sv/callback", {"phone": "0900 123 45 67"})
    assert refused.status_code == 400
    assert _count(session_factory, Contact) == 1


def _follow_up(client: FlaskClient, code: str, phone: str):  # type: ignore[no-untyped-def]
    page = post_form(client, "/en/receipt", {"code": code}).get_data(as_text=True)
    return client.post(
        "/en/receipt/message",
        data={"csrf_token": csrf_token_from(page), "code": code, "call_me": "new", "phone": phone},
    )


@pytest.mark.parametrize("typed", [*NEVER_CALLED, NORWEGIAN_MOBILE])
def test_the_receipt_pages_new_number_is_refused_the_same_way(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    typed: str,
) -> None:
    code = receipt_code_from(
        post_form(client, "/sv/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    )
    jobs_before = _count(session_factory, OutboxEntry)

    refused = _follow_up(client, code, typed)

    assert refused.status_code == 400
    words = OTHER_COUNTRY_WORDS if typed == NORWEGIAN_MOBILE else NOT_CALLABLE_WORDS
    assert words["en"] in refused.get_data(as_text=True)
    assert _count(session_factory, ContactMessage) == 0
    assert _count(session_factory, OutboxEntry) == jobs_before  # no call asked for
    assert _follow_up(client, code, "073-555 12 34").status_code == 200


# The hotline: the caller's number is what Twilio reports in From.
AUTH_TOKEN = "twilio-test-auth-token"
PUBLIC_URL = "https://kontakt.example.se"
CANNOT_CALL_BACK = "Vi kan inte ringa tillbaka till det här numret."


@pytest.fixture
def hotline(config: Config, redis_client) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    from intake_web import create_app

    app = create_app(
        config.with_changes(
            public_url=PUBLIC_URL,
            twilio=TwilioConfig(
                account_sid="AC" + "0" * 32,
                auth_token=AUTH_TOKEN,
                number="+46101234567",
                api_url="http://127.0.0.1:1",
            ),
        ),
        redis_client=redis_client,
    )
    yield app
    app.extensions["utvag"].engine.dispose()


def _twilio_post(client: FlaskClient, path: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def _call(caller: str, **extra: str) -> dict[str, str]:
    return {"CallSid": "CA" + "7" * 32, "From": caller, "To": "+46101234567", **extra}


@pytest.mark.parametrize(
    "caller", ["+46900123456", "+881612345678", "+447012345678", "+4741234567"]
)
def test_the_hotline_will_not_promise_to_call_back_a_number_we_never_call(
    hotline: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    caller: str,
) -> None:
    twiml = _twilio_post(hotline.test_client(), "/telephony/menu", _call(caller, Digits="1"))
    spoken = twiml.get_data(as_text=True)
    assert CANNOT_CALL_BACK in spoken
    assert "Tryck 2" in spoken  # the answering machine is offered instead
    assert "dolt nummer" not in spoken  # the number was not hidden: another sentence
    assert _count(session_factory, Contact) == 0


def _stored_phone(session_factory, team: TeamFixture) -> str:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
        sealed = contact.sealed_content
    fields = json.loads(open_sealed(team_keys(session_factory, team), sealed))["fields"]
    return str(fields.get("phone", ""))


def test_a_voice_message_from_a_premium_number_keeps_no_number_to_call(
    hotline: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _twilio_post(hotline.test_client(), "/telephony/menu", _call("+46900123456", Digits="2"))
    assert _stored_phone(session_factory, team) == ""


def test_an_answered_call_from_a_premium_number_keeps_no_number_to_call(
    hotline: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    client = hotline.test_client()
    call = _call("+46900123456")
    _twilio_post(
        client, "/telephony/screen-answer", {"ParentCallSid": call["CallSid"], "Digits": "1"}
    )
    _twilio_post(client, "/telephony/dial-status", {**call, "DialCallStatus": "completed"})
    assert _stored_phone(session_factory, team) == ""


def test_a_swedish_caller_is_still_called_back(
    hotline: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    twiml = _twilio_post(
        hotline.test_client(), "/telephony/menu", _call("+46701112233", Digits="1")
    )
    # Stored at once; the caller is then asked which number we may call from.
    assert "/telephony/call-from" in twiml.get_data(as_text=True)
    assert _stored_phone(session_factory, team) == "+46701112233"
