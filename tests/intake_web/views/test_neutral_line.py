"""The number that names nothing: rung back by whoever holds the person's
phone, it says nothing about who we are and offers nothing without the
receipt code. Webhooks signed exactly as Twilio signs them; the worker
talks to the local fake of Twilio's REST API."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, post_form, receipt_code_from
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, HOTLINE, NEUTRAL, PUBLIC_URL, FakeTwilio, with_hotline

import worker
from crypto.codes import RECEIPT_CODE_LENGTH, keypad_digits, normalise_code
from utvag.config import Config
from utvag.jobs.context import AppContext
from utvag.jobs.dispatch import relay
from utvag.store.db import transaction
from utvag.store.models import (
    Contact,
    ContactMessage,
    NetworkThrottle,
    OutboxEntry,
    Team,
    VoiceMessage,
)

PERSON = "+46701234567"  # what the person typed on the form: 070-123 45 67
STRANGER = "+46739998877"
# Nothing that says who answers: not the team, not the programme, not the
# municipality, not the hotline's number in any form.
IDENTIFYING = (
    "Vägvalet",
    "vagvalet",
    "avhopp",
    "Avhopp",
    "Eskilstuna",
    "kriminell",
    "gäng",
    "program",
    "verksamhet",
    HOTLINE,
    HOTLINE.removeprefix("+"),
    "010-123 45 67",
    "0101234567",
)

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    return with_hotline(config, twilio_api)


@pytest.fixture
def line(intake_app: Flask, team: TeamFixture) -> FlaskClient:
    with transaction(intake_app.extensions["utvag"].session_factory) as session:
        session.scalars(select(Team)).one().public_phone = "010-123 45 67"
    return intake_app.test_client()


def _post(client: FlaskClient, path: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def _call(sid_digit: str = "1", caller: str = STRANGER, **extra: str) -> dict[str, str]:
    return {"CallSid": "CA" + sid_digit * 32, "From": caller, "To": NEUTRAL, **extra}


def _action(twiml: str, verb: str = "Gather") -> str:
    found = re.search(rf'<{verb} action="([^"]+)"', twiml)
    assert found is not None, twiml
    parts = urlsplit(unescape(found.group(1)))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _names_nothing(twiml: str) -> None:
    for word in IDENTIFYING:
        assert word not in twiml, word
    assert "Tryck 1" not in twiml
    assert "Tryck 2" not in twiml


def _a_person_with_a_code(client: FlaskClient, **fields: str) -> tuple[str, str]:
    """A call-back request on the web; returns its code and the code's keypad form."""
    page = post_form(client, "/sv/callback", {"phone": "070-123 45 67", **fields})
    code = normalise_code(receipt_code_from(page.get_data(as_text=True)), RECEIPT_CODE_LENGTH)
    assert code is not None
    return code, keypad_digits(code)


def _work(ctx: AppContext) -> None:
    relay(ctx.session_factory, ctx.redis_client)
    worker.build_worker(ctx).work(burst=True)


def test_the_number_says_nothing_about_who_answers_and_the_same_to_every_caller(
    line: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    heard = {
        _post(line, "/telephony/neutral", _call("1", STRANGER)).get_data(as_text=True),
        _post(line, "/telephony/neutral", _call("2", PERSON)).get_data(as_text=True),
        _post(line, "/telephony/neutral", _call("3", "anonymous")).get_data(as_text=True),
        # Pointed at the hotline's URL by mistake: dispatched on the signed To.
        _post(line, "/telephony/voice", _call("4", PERSON)).get_data(as_text=True),
    }

    [twiml] = heard  # word for word the same, whoever calls, whichever URL
    assert "Du har ringt ett nummer som inte tar emot samtal." in twiml
    assert "Om du har fått en kod av oss, slå in den nu." in twiml
    assert '<Say language="sv-SE" voice="alice">' in twiml
    assert 'numDigits="16"' in twiml
    _names_nothing(twiml)
    with session_factory() as session:
        forgets = session.scalars(
            select(OutboxEntry).where(OutboxEntry.job_name == "forget_call")
        ).all()
        assert session.scalars(select(Contact)).all() == []
    assert len(forgets) == 4  # every call is deleted at Twilio, like the hotline's


def test_every_hotline_url_answers_a_call_to_the_neutral_number_with_its_greeting(
    line: FlaskClient,
) -> None:
    for path, extra in [
        ("/telephony/menu", {"Digits": "1"}),
        ("/telephony/menu?lang=en", {"Digits": "2"}),
        ("/telephony/dial-status", {"DialCallStatus": "completed"}),
        ("/telephony/screen", {}),
    ]:
        twiml = _post(line, path, _call(**extra)).get_data(as_text=True)
        assert "Du har ringt ett nummer som inte tar emot samtal." in twiml, path
        _names_nothing(twiml)


def test_wrong_codes_get_nothing_and_the_third_ends_the_call(
    line: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    twiml = _post(line, "/telephony/neutral", _call()).get_data(as_text=True)
    for wrong in ("1234567890123456", "12", "*#"):
        twiml = _post(line, _action(twiml), _call(Digits=wrong)).get_data(as_text=True)
        assert "Koden stämmer inte." in twiml
        _names_nothing(twiml)
    assert twiml.endswith("<Hangup /></Response>")
    assert "<Gather" not in twiml
    with session_factory() as session:
        [counted] = session.scalars(select(NetworkThrottle))
    assert (counted.purpose, counted.count) == ("keypad_code", 3)


def test_a_count_of_wrong_codes_in_the_url_cannot_be_forged(line: FlaskClient) -> None:
    # Twilio signs the URL we gave it; one we never gave (or altered) is refused.
    forged = RequestValidator("not-the-token").compute_signature(
        f"{PUBLIC_URL}/telephony/neutral/code?wrong=0", _call(Digits="1")
    )
    response = line.post(
        "/telephony/neutral/code?wrong=0",
        data=_call(Digits="1"),
        headers={"X-Twilio-Signature": forged},
    )
    assert response.status_code == 403
    assert _post(line, "/telephony/neutral/code?wrong=9", _call(Digits="1")).status_code == 400


def test_the_right_code_and_only_then_says_who_we_are_and_offers_the_menu(
    line: FlaskClient, client: FlaskClient
) -> None:
    _code, digits = _a_person_with_a_code(client)
    greeting = _post(line, "/telephony/neutral", _call()).get_data(as_text=True)

    menu = _post(line, _action(greeting), _call(Digits=digits)).get_data(as_text=True)

    assert "avhopparverksamheten" in menu
    assert "Vi har fått din förfrågan och kommer att ringa dig." in menu
    assert "Tryck 1 om du vill att vi ringer dig på det här numret." in menu
    assert "Tryck 2 om du vill lämna ett meddelande." in menu
    # The letters typed as digits opened it; the code itself never went to Twilio.
    assert _code not in menu


def test_a_call_from_the_number_we_rang_is_still_neutral_without_the_code(
    line: FlaskClient,
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    twilio_api: FakeTwilio,
) -> None:
    """The switchboard rang the person from the neutral number; someone rings
    it back from the person's own phone: caller ID opens nothing."""
    _a_person_with_a_code(client)
    token = csrf_token_from(logged_in_staff.get("/account/phone").get_data(as_text=True))
    logged_in_staff.post("/account/phone", data={"csrf_token": token, "phone": "0705556677"})
    token = csrf_token_from(logged_in_staff.get("/queue").get_data(as_text=True))
    for path in ("/contacts/1/claim", "/contacts/1/call-via-switchboard"):
        assert logged_in_staff.post(path, data={"csrf_token": token}).status_code == 302
    [made] = twilio_api.created
    assert f'callerId="{NEUTRAL}"' in made["Twiml"]
    assert f">{PERSON}</Number>" in made["Twiml"]

    rung_back = _post(line, "/telephony/neutral", _call("5", PERSON)).get_data(as_text=True)
    from_a_stranger = _post(line, "/telephony/neutral", _call("6", STRANGER)).get_data(as_text=True)

    assert rung_back == from_a_stranger
    _names_nothing(rung_back)
    wrong = _post(line, _action(rung_back), _call("5", PERSON, Digits="0" * 16))
    assert "Koden stämmer inte." in wrong.get_data(as_text=True)
    _names_nothing(wrong.get_data(as_text=True))


def test_too_many_wrong_codes_in_an_hour_shut_the_door_even_to_a_right_one(
    line: FlaskClient,
    client: FlaskClient,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    from intake_web.views.neutral_line import WRONG_CODES_PER_HOUR

    _code, digits = _a_person_with_a_code(client)
    for call in range(WRONG_CODES_PER_HOUR):
        params = {**_call(), "CallSid": f"CA{call:032x}", "Digits": "1" * 16}
        _post(line, "/telephony/neutral/code?wrong=0", params)

    shut = _post(line, "/telephony/neutral/code?wrong=0", _call(Digits=digits))
    assert "Koden stämmer inte." in shut.get_data(as_text=True)
    _names_nothing(shut.get_data(as_text=True))

    time_machine.shift(timedelta(hours=1))  # the next hour opens it again
    opened = _post(line, "/telephony/neutral/code?wrong=0", _call(Digits=digits))
    assert "avhopparverksamheten" in opened.get_data(as_text=True)


def test_with_the_code_the_caller_asks_to_be_called_again_on_the_number_they_call_from(
    line: FlaskClient,
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    app_context: AppContext,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _code, digits = _a_person_with_a_code(client, call_from="hotline")
    with transaction(session_factory) as session:
        contact = session.scalars(select(Contact)).one()
        contact.status, contact.attempt_count = "unreachable", 3
        contact.closed_at = contact.created_at
    menu = _post(line, "/telephony/neutral/code?wrong=0", _call(Digits=digits))
    assert "Vi har försökt ringa dig men inte nått dig." in menu.get_data(as_text=True)

    thanks = _post(line, _action(menu.get_data(as_text=True)), _call(Digits="1"))
    _work(app_context)

    heard = thanks.get_data(as_text=True)
    assert "Tack. Vi ringer dig på det här numret" in heard
    assert "Vi ringer från det här numret." in heard  # as they chose: the hotline's
    with session_factory() as session:
        contact = session.scalars(select(Contact)).one()
        [follow_up] = session.scalars(select(ContactMessage))
    assert (contact.status, contact.attempt_count, contact.wants_callback) == ("received", 0, True)
    assert b"739998877" not in follow_up.sealed_content
    page = logged_in_staff.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "bad att bli uppringd igen" in page
    assert "073-999 88 77" in page  # the number to call now


def test_with_the_code_and_a_hidden_number_the_caller_is_offered_a_message(
    line: FlaskClient,
    client: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _code, digits = _a_person_with_a_code(client)
    hidden = _call(caller="anonymous")
    menu = _post(line, "/telephony/neutral/code?wrong=0", {**hidden, "Digits": digits})
    again = _post(line, _action(menu.get_data(as_text=True)), {**hidden, "Digits": "1"})
    assert "Vi kan inte se ditt nummer" in again.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(ContactMessage)).all() == []


def test_with_the_code_the_caller_leaves_a_message_that_joins_their_contact(
    line: FlaskClient,
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    app_context: AppContext,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _code, digits = _a_person_with_a_code(client)
    menu = _post(line, "/telephony/neutral/code?wrong=0", _call(Digits=digits))
    recorder = _post(line, _action(menu.get_data(as_text=True)), _call(Digits="2")).get_data(
        as_text=True
    )
    assert "Tala in ditt meddelande efter tonen" in recorder
    assert 'transcribe="false"' in recorder
    status_url = unescape(re.search(r'recordingStatusCallback="([^"]+)"', recorder).group(1))  # type: ignore[union-attr]
    assert status_url.startswith(f"{PUBLIC_URL}/telephony/recording-status?ref=")
    audio = b"ID3 a message left on the number that names nothing" * 50
    twilio_api.recordings["RE" + "3" * 32] = audio
    recording = _call(RecordingSid="RE" + "3" * 32, RecordingDuration="12")

    ended = _post(line, _action(recorder, "Record"), recording).get_data(as_text=True)
    reported = _post(line, status_url.removeprefix(PUBLIC_URL), recording)
    _work(app_context)

    assert "Tack, vi har fått ditt meddelande" in ended
    assert reported.status_code == 204
    assert twilio_api.recordings == {}
    with session_factory() as session:
        contact = session.scalars(select(Contact)).one()
        [voice] = session.scalars(select(VoiceMessage))
    assert voice.contact_id == contact.id
    page = logged_in_staff.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "valde att lämna ett röstmeddelande" in page
    assert "12 sekunder" in page


def test_a_recording_reference_that_does_not_open_is_refused(
    line: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    recording = _call(RecordingSid="RE" + "3" * 32, RecordingDuration="12")
    response = _post(line, "/telephony/recording-status?ref=made-up", recording)
    assert response.status_code == 400
    with session_factory() as session:
        assert session.scalars(select(OutboxEntry)).all() == []


def test_a_menu_reference_that_does_not_open_is_refused(line: FlaskClient) -> None:
    assert _post(line, "/telephony/neutral/menu?ref=made-up", _call(Digits="1")).status_code == 400
