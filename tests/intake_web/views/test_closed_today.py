"""On a day the team closed itself, the person is told so in their language,
and when we call at the earliest; the hotline says it too. The reason is
never shown to the public."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from support import TeamFixture
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, HOTLINE, PUBLIC_URL, FakeTwilio, with_hotline

from utvag.repo.team_settings import add_closure, add_extra_open_day
from utvag.store.db import transaction
from utvag.store.models import Team

# Tuesday 24 November 2026, 10:00 in Stockholm.
pytestmark = pytest.mark.usefixtures("during_office_hours")

EXPECTED = {
    "sv": ("Vi har stängt i dag. Vi ringer tidigast", "torsdag 26 november 08:00"),
    "en": ("We are closed today. We call at the earliest", "Thursday 26 November 08:00"),
    "ar": ("نحن مغلقون اليوم. أقرب موعد نتصل فيه هو", "الخميس 26 نوفمبر 08:00"),
}


@pytest.fixture
def hotline(config, redis_client, team: TeamFixture, twilio_api: FakeTwilio):  # type: ignore[no-untyped-def]
    from intake_web import create_app

    app = create_app(with_hotline(config, twilio_api), redis_client=redis_client)
    yield app
    app.extensions["utvag"].engine.dispose()


def _greeting(app: Flask) -> str:
    params = {"CallSid": "CA" + "1" * 32, "From": "+46701112233", "To": HOTLINE}
    path = "/telephony/voice"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    response = app.test_client().post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


@pytest.fixture
def closed_until_thursday(session_factory, team: TeamFixture, during_office_hours) -> None:  # type: ignore[no-untyped-def]
    """Closed today and tomorrow for a training day (a Tuesday and a Wednesday)."""
    with transaction(session_factory) as session:
        add_closure(
            session,
            session.get(Team, team.created.team.id),
            date(2026, 11, 24),
            date(2026, 11, 25),
            "utbildningsdag",
            "kurs i Örebro",
        )


@pytest.mark.usefixtures("closed_until_thursday")
@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_the_start_and_callback_pages_say_we_are_closed_today_and_when_we_call(
    client: FlaskClient, lang: str
) -> None:
    sentence, when = EXPECTED[lang]
    for path in (f"/{lang}/", f"/{lang}/callback"):
        html = client.get(path).get_data(as_text=True)
        assert f"{sentence} <bdi><strong>{when}</strong></bdi>." in html, path
        assert "Örebro" not in html
        assert "utbildningsdag" not in html


def test_an_ordinary_day_says_nothing_of_it(client: FlaskClient) -> None:
    for lang, (sentence, _when) in EXPECTED.items():
        assert sentence not in client.get(f"/{lang}/").get_data(as_text=True)


def test_an_extra_open_day_is_when_we_call_at_the_earliest(
    client: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    """Closed all week, open Saturday 10-14 instead."""
    with transaction(session_factory) as session:
        found = session.get(Team, team.created.team.id)
        add_closure(session, found, date(2026, 11, 24), date(2026, 11, 27), "personalbrist", "")
        add_extra_open_day(session, found, date(2026, 11, 28), time(10), time(14))
    html = client.get("/sv/").get_data(as_text=True)
    assert "Vi ringer tidigast <bdi><strong>lördag 28 november 10:00</strong></bdi>." in html


@pytest.mark.usefixtures("closed_until_thursday")
def test_the_hotline_greeting_says_we_are_closed_today(hotline: Flask) -> None:
    twiml = _greeting(hotline)
    assert "Vi har stängt i dag och öppnar igen torsdag 26 november klockan 08:00." in twiml


def test_out_of_hours_on_an_ordinary_evening_the_greeting_is_as_before(
    hotline: Flask,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    time_machine.move_to(datetime(2026, 11, 24, 18, 0, tzinfo=UTC))
    twiml = _greeting(hotline)
    assert "Vi har stängt nu och öppnar igen onsdag 25 november klockan 08:00." in twiml
