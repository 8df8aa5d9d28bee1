"""The hotline's webhooks, signed exactly as Twilio signs them."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture
from twilio.request_validator import RequestValidator

from utvag.config import TwilioConfig
from utvag.store.db import transaction
from utvag.store.models import Contact, Team

AUTH_TOKEN = "twilio-test-auth-token"
PUBLIC_URL = "https://kontakt.example.se"
CALLER = "+46701112233"


@pytest.fixture
def hotline(config, redis_client, team: TeamFixture):  # type: ignore[no-untyped-def]
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


def twilio_post(client: FlaskClient, path: str, params: dict[str, str], token: str = AUTH_TOKEN):  # type: ignore[no-untyped-def]
    signature = RequestValidator(token).compute_signature(f"{PUBLIC_URL}{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def _call(**extra: str) -> dict[str, str]:
    return {"CallSid": "CA" + "1" * 32, "From": CALLER, "To": "+46101234567", **extra}


def _answer_the_question(client: FlaskClient, twiml: str, **extra: str) -> str:
    """Which number may we call from? Answer it (``Digits``), or let the time
    run out (no ``Digits``: Twilio follows the ``<Redirect>``)."""
    import re
    from html import unescape
    from urllib.parse import urlsplit

    pattern = r'<Gather action="([^"]+)"' if "Digits" in extra else r"<Redirect[^>]*>([^<]+)<"
    found = re.search(pattern, twiml)
    assert found is not None, twiml
    parts = urlsplit(unescape(found.group(1)))
    response = twilio_post(client, f"{parts.path}?{parts.query}", _call(**extra))
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_an_unsigned_or_forged_request_is_refused(hotline: Flask) -> None:
    client = hotline.test_client()
    assert client.post("/telephony/voice", data=_call()).status_code == 403
    assert twilio_post(client, "/telephony/voice", _call(), token="wrong").status_code == 403


def test_without_telephony_configured_the_urls_do_not_exist(client: FlaskClient) -> None:
    assert client.post("/telephony/voice", data=_call()).status_code == 404


@pytest.mark.usefixtures("during_office_hours")
def test_nobody_on_duty_gets_the_call_back_menu(hotline: Flask) -> None:
    response = twilio_post(hotline.test_client(), "/telephony/voice", _call())
    twiml = response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    assert '<Gather action="/telephony/menu?lang=sv" method="POST" numDigits="1"' in twiml
    assert "Tryck 1" in twiml


@pytest.mark.usefixtures("during_office_hours")
def test_in_hours_the_call_goes_to_the_duty_phone_and_falls_back_to_the_menu(
    hotline: Flask,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(session_factory) as session:
        session.scalars(select(Team)).one().duty_phone = "+46709998877"
    client = hotline.test_client()

    forwarded = twilio_post(client, "/telephony/voice", _call()).get_data(as_text=True)
    unanswered = twilio_post(
        client, "/telephony/dial-status", _call(DialCallStatus="no-answer")
    ).get_data(as_text=True)

    assert '<Number method="POST" url="/telephony/screen">+46709998877</Number>' in forwarded
    assert 'callerId="+46101234567"' in forwarded
    assert "<Gather" in unanswered


def test_out_of_hours_the_duty_phone_is_not_rung(
    hotline: Flask,
    session_factory,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(session_factory) as session:
        session.scalars(select(Team)).one().duty_phone = "+46709998877"
    time_machine.move_to("2026-12-24T10:00:00+01:00")
    twiml = twilio_post(hotline.test_client(), "/telephony/voice", _call()).get_data(as_text=True)
    assert "<Dial" not in twiml
    assert "<Gather" in twiml


@pytest.mark.usefixtures("during_office_hours")
def test_pressing_1_seals_the_callers_number_into_a_call_back(
    hotline: Flask,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    response = twilio_post(hotline.test_client(), "/telephony/menu", _call(Digits="1"))

    assert "Vilket nummer får vi ringa dig från?" in response.get_data(as_text=True)
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
    # Stored at once, with the number that names nothing until the caller says otherwise.
    assert (contact.channel, contact.wants_callback, contact.call_from) == (
        "phone",
        True,
        "neutral",
    )
    assert b"701112233" not in contact.sealed_content
    assert "701112233" not in caplog.text
    assert "070-111 22 33" in logged_in_staff.get(f"/contacts/{contact.id}").get_data(as_text=True)


@pytest.mark.usefixtures("during_office_hours")
def test_a_hidden_number_cannot_be_called_back_and_nothing_is_stored(
    hotline: Flask,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = twilio_post(
        hotline.test_client(), "/telephony/menu", _call(Digits="1", From="anonymous")
    )
    assert "dolt nummer" in response.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(Contact)).all() == []


@pytest.mark.usefixtures("during_office_hours")
def test_another_key_repeats_the_menu(hotline: Flask) -> None:
    twiml = twilio_post(hotline.test_client(), "/telephony/menu", _call(Digits="7"))
    assert "<Gather" in twiml.get_data(as_text=True)


def test_a_replayed_menu_request_makes_one_contact(hotline: Flask, session_factory) -> None:  # type: ignore[no-untyped-def]
    client = hotline.test_client()
    first = twilio_post(client, "/telephony/menu", _call(Digits="1"))
    assert "Vilket nummer" in first.get_data(as_text=True)
    for _ in range(2):
        response = twilio_post(client, "/telephony/menu", _call(Digits="1"))
        assert response.status_code == 200
        assert "Tack" in response.get_data(as_text=True)
        assert "Vilket nummer" not in response.get_data(as_text=True)
    with session_factory() as session:
        contacts = session.scalars(select(Contact)).all()
        assert len(contacts) == 1
        assert contacts[0].call_digest is not None
        assert "CA" not in contacts[0].call_digest  # an HMAC, not the CallSid itself
    other_call = _call(Digits="1", CallSid="CA" + "2" * 32)
    assert twilio_post(client, "/telephony/menu", other_call).status_code == 200
    with session_factory() as session:
        assert len(session.scalars(select(Contact)).all()) == 2


def test_the_greeting_says_112_first_then_when_we_open_again(
    hotline: Flask,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    time_machine.move_to("2026-12-23T18:00:00+01:00")
    twiml = twilio_post(hotline.test_client(), "/telephony/voice", _call()).get_data(as_text=True)
    assert twiml.index("112") < twiml.index("avhopparverksamheten") < twiml.index("Tryck 1")
    assert "öppnar igen måndag 28 december klockan 08:00" in twiml
    assert "Tryck 3" in twiml


@pytest.mark.usefixtures("during_office_hours")
def test_pressing_3_asks_for_a_call_back_as_someone_close(
    hotline: Flask,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    twilio_post(hotline.test_client(), "/telephony/menu", _call(Digits="3"))
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
    assert (contact.kind, contact.wants_callback) == ("relative", True)


@pytest.mark.usefixtures("during_office_hours")
def test_an_answered_call_becomes_a_reached_contact_with_its_attempt_once(
    hotline: Flask,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.store.models import CallAttempt

    client = hotline.test_client()
    leg = {"CallSid": "CA" + "8" * 32, "ParentCallSid": _call()["CallSid"], "Digits": "1"}
    assert twilio_post(client, "/telephony/screen-answer", leg).status_code == 200
    for _ in range(2):  # Twilio may send the status callback twice
        response = twilio_post(client, "/telephony/dial-status", _call(DialCallStatus="completed"))
        assert "<Gather" not in response.get_data(as_text=True)
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
        [attempt] = session.scalars(select(CallAttempt))
    assert (contact.channel, contact.status, contact.wants_callback) == ("phone", "reached", False)
    assert (attempt.contact_id, attempt.outcome) == (contact.id, "reached")
    assert b"701112233" not in contact.sealed_content
    assert "070-111 22 33" in logged_in_staff.get(f"/contacts/{contact.id}").get_data(as_text=True)


@pytest.mark.usefixtures("during_office_hours")
def test_the_duty_phone_must_press_1_so_its_voicemail_never_takes_the_caller(
    hotline: Flask,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    client = hotline.test_client()
    whisper = twilio_post(client, "/telephony/screen", {"CallSid": "CA" + "8" * 32})
    assert "Ett samtal från telefonlinjen. Tryck 1" in whisper.get_data(as_text=True)
    assert whisper.get_data(as_text=True).endswith("<Hangup /></Response>")
    other_key = {"CallSid": "CA" + "8" * 32, "ParentCallSid": _call()["CallSid"], "Digits": "5"}
    assert "<Hangup" in twilio_post(client, "/telephony/screen-answer", other_key).get_data(
        as_text=True
    )

    # The voicemail picked up and the whisper hung up: Twilio reports the
    # forwarded call as completed, but nobody took it.
    after = twilio_post(client, "/telephony/dial-status", _call(DialCallStatus="completed"))

    assert "<Gather" in after.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(Contact)).all() == []


@pytest.mark.usefixtures("during_office_hours")
def test_the_caller_can_choose_english_or_arabic_and_each_offer_is_in_its_own_voice(
    hotline: Flask,
) -> None:
    client = hotline.test_client()
    swedish = twilio_post(client, "/telephony/voice", _call()).get_data(as_text=True)
    assert '<Say language="en-GB" voice="alice">For English, press 8.</Say>' in swedish
    assert '<Say language="arb" voice="Polly.Zeina">' in swedish

    english = twilio_post(client, "/telephony/menu", _call(Digits="8")).get_data(as_text=True)
    assert '<Gather action="/telephony/menu?lang=en"' in english
    assert '<Say language="en-GB" voice="alice">If you are in danger right now' in english
    assert "För svenska, tryck 7." in english

    signature_path = "/telephony/menu?lang=en"
    question = twilio_post(client, signature_path, _call(Digits="1")).get_data(as_text=True)
    assert "Which number may we call you from?" in question
    thanks = _answer_the_question(client, question, Digits="1")
    assert "We will call you back on this number" in thanks
    assert "We will call from a number that says nothing about who we are." in thanks

    arabic = twilio_post(client, "/telephony/menu", _call(Digits="9")).get_data(as_text=True)
    assert '<Gather action="/telephony/menu?lang=ar"' in arabic
    assert "112" in arabic


@pytest.mark.usefixtures("during_office_hours")
def test_after_asking_for_a_call_the_caller_hears_a_receipt_code_that_works_on_the_site(
    hotline: Flask,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    import re
    from html import unescape
    from urllib.parse import urlsplit

    from crypto.codes import RECEIPT_CODE_LENGTH, normalise_code
    from crypto.receipts import receipt_digest
    from utvag.server_secrets import intake_secrets

    client = hotline.test_client()
    question = twilio_post(client, "/telephony/menu", _call(Digits="1")).get_data(as_text=True)
    assert "Din kod" not in question  # first: which number may we call from
    twiml = _answer_the_question(client, question, Digits="1")

    spoken = re.search(r"Din kod är: ([0-9A-Z, .]+?)\. Tryck 1", twiml)
    assert spoken is not None
    code = normalise_code(spoken.group(1).replace(",", "").replace(" ", ""), RECEIPT_CODE_LENGTH)
    assert code is not None
    secrets = intake_secrets(hotline.extensions["utvag"].config.data_dir)
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
    assert contact.receipt_digest == receipt_digest(secrets.receipt_key, code)
    assert code not in str(contact.sealed_content)

    again_url = unescape(re.search(r'<Gather action="([^"]+)"', twiml).group(1))  # type: ignore[union-attr]
    assert code not in again_url  # locked: Twilio sees only that
    parts = urlsplit(again_url)
    again = twilio_post(client, f"{parts.path}?{parts.query}", _call(Digits="1"))
    assert spoken.group(1) in again.get_data(as_text=True)

    replay = twilio_post(client, "/telephony/menu", _call(Digits="1")).get_data(as_text=True)
    assert "Din kod" not in replay  # nothing stored twice, and no second code


@pytest.mark.usefixtures("during_office_hours")
@pytest.mark.parametrize(
    ("answer", "chosen", "heard"),
    [
        ({"Digits": "2"}, "hotline", "Vi ringer från det här numret."),
        (
            {"Digits": "1"},
            "neutral",
            "Vi ringer från ett nummer som inte säger något om vilka vi är.",
        ),
        (
            {"Digits": "5"},
            "neutral",
            "Vi ringer från ett nummer som inte säger något om vilka vi är.",
        ),
        ({}, "neutral", "Vi ringer från ett nummer som inte säger något om vilka vi är."),
    ],
    ids=["2-the-hotline", "1-neutral", "another-key", "no-key"],
)
@pytest.mark.parametrize("menu_key", ["1", "3"], ids=["defector", "relative"])
def test_the_caller_chooses_which_number_we_may_call_from(
    hotline: Flask,
    app_context,  # type: ignore[no-untyped-def]
    session_factory,  # type: ignore[no-untyped-def]
    menu_key: str,
    answer: dict[str, str],
    chosen: str,
    heard: str,
) -> None:
    import worker
    from utvag.jobs.dispatch import relay

    client = hotline.test_client()
    question = twilio_post(client, "/telephony/menu", _call(Digits=menu_key)).get_data(as_text=True)
    assert "Tryck 1 för ett nummer som inte säger något om vilka vi är." in question
    assert "Tryck 2 för det här numret, telefonlinjens." in question

    thanks = _answer_the_question(hotline.test_client(), question, **answer)
    relay(app_context.session_factory, app_context.redis_client)
    worker.build_worker(app_context).work(burst=True)

    assert heard in thanks
    assert "Din kod är:" in thanks
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
    assert contact.kind == ("relative" if menu_key == "3" else "defector")
    assert contact.call_from == chosen
