"""Several hotline numbers: each Twilio number belongs to one team, and the
install-wide number fronts the region with a menu. Webhooks signed as
Twilio signs them; the worker talks to the fake Twilio."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, create_malmo, team_keys
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, HOTLINE, NEUTRAL, PUBLIC_URL, FakeTwilio, with_hotline

import worker
from crypto.errors import CryptoError
from crypto.opening import open_sealed
from utvag.config import Config
from utvag.jobs.context import AppContext
from utvag.jobs.dispatch import relay
from utvag.store.db import transaction
from utvag.store.models import Contact, OutboxEntry, PublicListing, Team, VoiceMessage

VAGVALET_LINE = "+46101110001"
MALMO_LINE = "+46101110002"
NOBODYS_LINE = "+46101110009"
CALLER = "+46701112233"

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    return with_hotline(config, twilio_api)


@pytest.fixture
def malmo(session_factory, console_keys) -> TeamFixture:  # type: ignore[no-untyped-def]
    return create_malmo(session_factory, console_keys)


@pytest.fixture
def two_lines(team: TeamFixture, malmo: TeamFixture, session_factory) -> None:  # type: ignore[no-untyped-def]
    """Vägvalet (the first team, the default) and Malmö, each with its own
    number, both listed on the public site (the menu names only those)."""
    with transaction(session_factory) as session:
        for fixture, line in ((team, VAGVALET_LINE), (malmo, MALMO_LINE)):
            row = session.get(Team, fixture.created.team.id)
            assert row is not None
            row.hotline_number = line
            row.public_listing = PublicListing.LISTED.value


def _post(client: FlaskClient, path: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def _twiml(client: FlaskClient, path: str, params: dict[str, str]) -> str:
    response = _post(client, path, params)
    assert response.status_code == 200, (path, response.status_code)
    return str(response.get_data(as_text=True))


def _call(to: str, digit: str = "1", **extra: str) -> dict[str, str]:
    return {"CallSid": "CA" + digit * 32, "From": CALLER, "To": to, **extra}


def _action(twiml: str, verb: str = "Gather") -> str:
    found = re.search(rf'<{verb} action="([^"]+)"', twiml)
    assert found is not None, twiml
    return unescape(found.group(1))


def _contact_team(session_factory) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
        return contact.team_id


@pytest.mark.usefixtures("two_lines")
@pytest.mark.parametrize("line", ["vagvalet", "malmo"])
def test_a_call_to_a_teams_own_number_reaches_that_team_and_its_message_is_sealed_to_its_key(
    intake_app: Flask,
    app_context: AppContext,
    twilio_api: FakeTwilio,
    team: TeamFixture,
    malmo: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
    line: str,
) -> None:
    called, other = (team, malmo) if line == "vagvalet" else (malmo, team)
    number = VAGVALET_LINE if line == "vagvalet" else MALMO_LINE
    audio = b"ID3 a voice message for " + line.encode()
    call = _call(number)
    twilio_api.add_call(call["CallSid"])
    twilio_api.recordings["RE" + "5" * 32] = audio
    client = intake_app.test_client()

    greeting = _twiml(client, "/telephony/voice", call)
    assert "avhopparverksamheten" in greeting
    assert "Tryck 1" in greeting
    assert "Malmö" not in greeting
    assert "Vägvalet" not in greeting
    machine = _twiml(client, _action(greeting), {**call, "Digits": "2"})
    recording = {**call, "RecordingSid": "RE" + "5" * 32, "RecordingDuration": "9"}
    assert "Din kod är:" in _twiml(client, _action(machine, "Record"), recording)
    status = _post(
        client, "/telephony/recording-status", {**recording, "RecordingStatus": "completed"}
    )
    assert status.status_code == 204
    relay(app_context.session_factory, app_context.redis_client)
    worker.build_worker(app_context).work(burst=True)

    assert _contact_team(session_factory) == called.created.team.id  # in its queue
    with session_factory() as session:
        [voice] = session.scalars(select(VoiceMessage))
    assert open_sealed(team_keys(session_factory, called), voice.sealed_audio) == audio
    with pytest.raises(CryptoError):
        open_sealed(team_keys(session_factory, other), voice.sealed_audio)


@pytest.mark.usefixtures("two_lines")
def test_each_number_rings_its_own_teams_duty_phone_in_its_own_hours(
    intake_app: Flask,
    malmo: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(session_factory) as session:
        vagvalet, malmo_row = session.scalars(select(Team).order_by(Team.id)).all()
        vagvalet.duty_phone = "+46709998877"
        malmo_row.duty_phone = "+46705554433"
        malmo_row.hours_spec = "sat 10:00-11:00"  # closed on this Tuesday morning
    client = intake_app.test_client()

    to_vagvalet = _twiml(client, "/telephony/voice", _call(VAGVALET_LINE))
    to_malmo = _twiml(client, "/telephony/voice", _call(MALMO_LINE, "2"))

    assert '<Number method="POST" url="/telephony/screen">+46709998877</Number>' in to_vagvalet
    assert f'callerId="{VAGVALET_LINE}"' in to_vagvalet  # the duty phone sees the line rung
    assert "<Dial" not in to_malmo
    assert "+46705554433" not in to_malmo
    assert "öppnar igen lördag" in to_malmo  # Malmö's hours, not Vägvalet's
    unanswered = _twiml(
        client, "/telephony/dial-status", _call(VAGVALET_LINE, DialCallStatus="busy")
    )
    assert "<Gather" in unanswered


@pytest.mark.usefixtures("two_lines")
@pytest.mark.parametrize("path", ["/telephony/voice", "/telephony/menu"])
def test_a_number_no_team_owns_says_one_neutral_sentence_and_hangs_up(
    intake_app: Flask,
    session_factory,  # type: ignore[no-untyped-def]
    path: str,
) -> None:
    twiml = _twiml(intake_app.test_client(), path, _call(NOBODYS_LINE, Digits="1"))

    assert "Det här numret tar inte emot samtal. Hej då." in twiml
    assert twiml.endswith("<Hangup /></Response>")
    for telling in ("<Gather", "<Dial", "<Record", "avhopp", "Vägvalet", "Malmö", "112"):
        assert telling not in twiml
    with session_factory() as session:
        assert session.scalars(select(Contact)).all() == []
        jobs = session.scalars(select(OutboxEntry.job_name)).all()
    assert jobs == (["forget_call"] if path == "/telephony/voice" else [])


@pytest.mark.usefixtures("two_lines")
@pytest.mark.parametrize(
    ("keys", "reaches"),
    [
        (["1"], "malmo"),  # by name: Malmö, then Vägvalet
        (["2"], "vagvalet"),
        (["0"], "vagvalet"),  # "I don't know": the default team
        ([None], "vagvalet"),  # no key at all
        (["5", "1"], "malmo"),  # a key on no team: the menu once more
        (["5", "5"], "vagvalet"),  # twice: the default team
    ],
    ids=["1-malmo", "2-vagvalet", "0-default", "no-key", "wrong-then-1", "wrong-twice"],
)
def test_the_install_wide_number_fronts_the_region_with_a_menu(
    intake_app: Flask,
    team: TeamFixture,
    malmo: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    keys: list[str | None],
    reaches: str,
) -> None:
    client = intake_app.test_client()
    call = _call(HOTLINE)
    twiml = _twiml(client, "/telephony/voice", call)
    assert twiml.index("112") < twiml.index("Tryck 1 för Malmö. Tryck 2 för Vägvalet.")
    assert "Tryck 0 om du inte vet vilken" in twiml
    for key in keys:
        if key is None:  # the Gather timed out: Twilio follows the Redirect, no Digits
            path = unescape(re.search(r"<Redirect[^>]*>([^<]+)<", twiml).group(1))  # type: ignore[union-attr]
            twiml = _twiml(client, path, call)
        else:
            twiml = _twiml(client, _action(twiml), {**call, "Digits": key})
    assert "Tryck 3" in twiml  # the chosen team's own menu
    question = _twiml(client, _action(twiml), {**call, "Digits": "1"})
    _twiml(client, _action(question), {**call, "Digits": "2"})  # and the number they chose

    expected = team if reaches == "vagvalet" else malmo
    assert _contact_team(session_factory) == expected.created.team.id


@pytest.mark.usefixtures("two_lines")
def test_a_wrong_key_in_the_region_menu_says_so_and_plays_it_again_once(intake_app: Flask) -> None:
    client = intake_app.test_client()
    call = _call(HOTLINE)
    first = _twiml(client, "/telephony/voice", call)
    again = _twiml(client, _action(first), {**call, "Digits": "5"})
    assert "Den siffran finns inte bland valen." in again
    assert "Tryck 1 för Malmö." in again
    default = _twiml(client, _action(again), {**call, "Digits": "5"})
    assert "Tryck 1 för Malmö." not in default
    assert "Tryck 3" in default


@pytest.mark.usefixtures("two_lines")
def test_the_region_menu_speaks_the_callers_language(intake_app: Flask) -> None:
    client = intake_app.test_client()
    call = _call(HOTLINE)
    swedish = _twiml(client, "/telephony/voice", call)
    english = _twiml(client, _action(swedish), {**call, "Digits": "8"})
    assert "Press 1 for Malmö. Press 2 for Vägvalet." in english
    malmo_menu = _twiml(client, _action(english), {**call, "Digits": "1"})
    assert "Press 3 if you are calling about someone close" in malmo_menu


@pytest.mark.usefixtures("two_lines")
def test_the_menus_choice_is_honoured_only_on_the_install_wide_number(
    intake_app: Flask,
    malmo: TeamFixture,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    client = intake_app.test_client()
    call = _call(HOTLINE)
    first = _twiml(client, "/telephony/voice", call)
    malmo_menu = _twiml(client, _action(first), {**call, "Digits": "1"})
    menu_url = _action(malmo_menu)
    assert "team=" in menu_url
    assert "malmo" not in menu_url
    # The same URL on Vägvalet's own number: Vägvalet's, whatever the URL says.
    _twiml(client, menu_url, _call(VAGVALET_LINE, "3", Digits="1"))
    assert _contact_team(session_factory) == team.created.team.id
    forged = _post(client, "/telephony/menu?lang=sv&team=not-a-lock", {**call, "Digits": "1"})
    assert forged.status_code == 400


def test_with_one_teams_number_the_install_wide_number_plays_no_menu(
    intake_app: Flask,
    team: TeamFixture,
    malmo: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(session_factory) as session:
        session.get(Team, malmo.created.team.id).hotline_number = MALMO_LINE  # type: ignore[union-attr]
    client = intake_app.test_client()
    twiml = _twiml(client, "/telephony/voice", _call(HOTLINE))
    assert '<Gather action="/telephony/menu?lang=sv"' in twiml
    assert "Malmö" not in twiml
    _twiml(client, "/telephony/menu", _call(HOTLINE, Digits="1"))
    assert _contact_team(session_factory) == team.created.team.id  # the default team


@pytest.mark.usefixtures("two_lines")
def test_a_team_its_lead_keeps_off_the_public_list_is_never_named_in_the_menu(
    intake_app: Flask,
    malmo: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    # A hidden (or direct-link-only) programme keeps its own number, but the
    # install-wide number never says its name to a caller.
    for listing in (PublicListing.HIDDEN, PublicListing.DIRECT):
        with transaction(session_factory) as session:
            row = session.get(Team, malmo.created.team.id)
            assert row is not None
            row.public_listing = listing.value
        twiml = _twiml(intake_app.test_client(), "/telephony/voice", _call(HOTLINE))
        assert "Malmö" not in twiml
        assert "Tryck 1 för" not in twiml


@pytest.mark.usefixtures("two_lines")
def test_the_number_that_names_nothing_stays_install_wide(intake_app: Flask) -> None:
    twiml = _twiml(intake_app.test_client(), "/telephony/voice", _call(NEUTRAL))
    assert "Du har ringt ett nummer som inte tar emot samtal. Om du har fått en kod" in twiml
    assert "Malmö" not in twiml
    assert "Vägvalet" not in twiml


def test_a_call_forgotten_at_twilio_whatever_number(
    intake_app: Flask,
    two_lines: None,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    client = intake_app.test_client()
    for digit, number in zip("123", (VAGVALET_LINE, MALMO_LINE, HOTLINE), strict=True):
        _twiml(client, "/telephony/voice", _call(number, digit))
    with session_factory() as session:
        jobs = session.scalars(select(OutboxEntry.job_name)).all()
    assert jobs == ["forget_call"] * 3


def test_an_install_wide_number_phonenumbers_does_not_know_still_answers_as_before(
    config: Config,
    redis_client,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    """A number as UTVAG_TWILIO_NUMBER holds it that ``phonenumbers`` calls
    invalid (today's config does not check it) is matched as written too."""
    from dataclasses import replace

    from intake_web import create_app

    assert config.twilio is not None
    odd = config.with_changes(twilio=replace(config.twilio, number="+4610123"))
    app = create_app(odd, redis_client=redis_client)
    try:
        twiml = _twiml(app.test_client(), "/telephony/voice", _call("+4610123"))
        assert '<Gather action="/telephony/menu?lang=sv"' in twiml
    finally:
        app.extensions["utvag"].engine.dispose()
