"""Calling back through the switchboard: the member's own phone rings
first, the person sees the number they chose (by default one that names
nothing), "no answer" logs itself."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, text
from support import TeamFixture, csrf_token_from, post_form
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, HOTLINE, NEUTRAL, PUBLIC_URL, FakeTwilio, with_hotline

import worker
from utvag.config import Config
from utvag.jobs.context import AppContext
from utvag.jobs.dispatch import relay
from utvag.store.models import AuditEvent, CallAttempt, Contact, OutboxEntry, StaffMember

MEMBER_PHONE = "+46705556677"

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    """Every process of this test talks to the fake Twilio."""
    return with_hotline(config, twilio_api)


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _set_my_phone(staff: FlaskClient, phone: str):  # type: ignore[no-untyped-def]
    token = csrf_token_from(staff.get("/account/phone").get_data(as_text=True))
    return staff.post(
        "/account/phone", data={"csrf_token": token, "phone": phone}, follow_redirects=True
    )


def _a_contact_i_am_calling(
    client: FlaskClient, staff: FlaskClient, fields: dict[str, str] | None = None
) -> int:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67", **(fields or {})})
    _post(staff, "/contacts/1/claim")
    return 1


def test_a_member_keeps_their_own_phone_sealed(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    refused = _set_my_phone(logged_in_staff, "hem")
    # The console's one wording for an unreadable number (triage/phone_check.py).
    assert "Telefonnumret ser inte rätt ut" in refused.get_data(as_text=True)

    saved = _set_my_phone(logged_in_staff, "070-555 66 77").get_data(as_text=True)

    assert "Din telefon är sparad" in saved
    assert "070-555 66 77" in saved
    with session_factory() as session:
        member = session.scalars(select(StaffMember)).one()
    assert member.sealed_phone is not None
    assert b"705556677" not in member.sealed_phone
    assert "own_phone_set" in _actions(session_factory)

    removed = _set_my_phone(logged_in_staff, "").get_data(as_text=True)
    assert "Din telefon är borttagen" in removed
    with session_factory() as session:
        assert session.scalars(select(StaffMember)).one().sealed_phone is None


def test_calling_through_the_switchboard_rings_the_member_and_shows_a_number_that_names_nothing(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    # This test used to pin the hotline's number as the person's caller ID:
    # their phone kept it, and whoever held the phone later rang it and heard
    # the greeting name the defector programme. Now the default names nothing.
    _set_my_phone(logged_in_staff, "070-555 66 77")
    contact_id = _a_contact_i_am_calling(client, logged_in_staff)
    page = logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "Ring upp via växeln" in page
    assert "personen ser ett nummer som inte säger något om oss" in page

    done = _post(logged_in_staff, f"/contacts/{contact_id}/call-via-switchboard")

    assert done.status_code == 302
    [made] = twilio_api.created
    # The member's own phone sees the hotline; the person sees the other number.
    assert (made["To"], made["From"]) == (MEMBER_PHONE, HOTLINE)
    assert made.get("Record", "false") == "false"
    assert f'<Dial callerId="{NEUTRAL}" record="do-not-record">' in made["Twiml"]
    assert HOTLINE not in made["Twiml"]
    assert ">+46701234567</Number>" in made["Twiml"]
    assert "Du kopplas nu till kontakten." in made["Twiml"]  # from the console's catalogue
    status_url = unescape(re.search(r'statusCallback="([^"]+)"', made["Twiml"]).group(1))  # type: ignore[union-attr]
    assert status_url.startswith(f"{PUBLIC_URL}/telephony/bridge-status?ref=")
    assert f"{contact_id}:" not in parse_qs(urlsplit(status_url).query)["ref"][0]
    with session_factory() as session:
        forget = session.scalars(
            select(OutboxEntry).where(OutboxEntry.job_name == "forget_call")
        ).one()
    assert forget.run_at is not None
    [call_sid] = twilio_api.calls
    assert call_sid not in str(forget.job_args)  # the call's id is locked
    assert "switchboard_call" in _actions(session_factory)
    followed = logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "Din telefon ringer" in followed
    assert "personen ser numret som inte säger något om oss" in followed


def test_a_person_who_chose_the_hotlines_number_is_called_from_it(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _set_my_phone(logged_in_staff, "070-555 66 77")
    contact_id = _a_contact_i_am_calling(client, logged_in_staff, {"call_from": "hotline"})
    page = logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "personen ser telefonlinjens nummer" in page

    _post(logged_in_staff, f"/contacts/{contact_id}/call-via-switchboard")

    [made] = twilio_api.created
    assert f'<Dial callerId="{HOTLINE}" record="do-not-record">' in made["Twiml"]
    assert NEUTRAL not in made["Twiml"]
    followed = logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "personen ser telefonlinjens nummer, som hen valt" in followed
    with session_factory() as session:
        details = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "switchboard_call")
        ).one()
    assert details == {"call_from": "hotline"}


@pytest.mark.parametrize(
    ("call_from", "caller_id"), [("hotline", "+46101110002"), ("neutral", NEUTRAL)]
)
def test_a_team_with_its_own_number_calls_from_it_and_the_neutral_number_stays_install_wide(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
    call_from: str,
    caller_id: str,
) -> None:
    from utvag.store.db import transaction
    from utvag.store.models import Team

    with transaction(session_factory) as session:
        session.scalars(select(Team)).one().hotline_number = "+46101110002"
    _set_my_phone(logged_in_staff, "070-555 66 77")
    contact_id = _a_contact_i_am_calling(client, logged_in_staff, {"call_from": call_from})

    _post(logged_in_staff, f"/contacts/{contact_id}/call-via-switchboard")

    [made] = twilio_api.created
    assert f'<Dial callerId="{caller_id}" record="do-not-record">' in made["Twiml"]
    assert f'callerId="{HOTLINE}"' not in made["Twiml"]


def test_without_my_phone_or_the_claim_nothing_is_dialled(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    twilio_api: FakeTwilio,
) -> None:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    not_claimed = _post(logged_in_staff, "/contacts/1/call-via-switchboard")
    assert not_claimed.status_code == 302
    _post(logged_in_staff, "/contacts/1/claim")
    _post(logged_in_staff, "/contacts/1/call-via-switchboard")
    page = logged_in_staff.get("/contacts/1").get_data(as_text=True)
    assert "Ange din egen telefon under Min telefon först" in page
    assert twilio_api.created == []


def test_without_a_number_that_names_nothing_the_switchboard_will_not_call_a_person_who_chose_one(
    config: Config,
    redis_client,  # type: ignore[no-untyped-def]
    client: FlaskClient,
    twilio_api: FakeTwilio,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from support import log_in

    from triage import create_app

    assert config.twilio is not None
    console = create_app(
        config.with_changes(twilio=replace(config.twilio, neutral_number=None)),
        redis_client=redis_client,
    )
    try:
        staff = console.test_client()
        assert log_in(staff, team).status_code == 302
        _set_my_phone(staff, "070-555 66 77")
        contact_id = _a_contact_i_am_calling(client, staff)
        page = staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
        assert "Växeln har inget nummer som inte säger något" in page
        assert "#31#" in page

        _post(staff, f"/contacts/{contact_id}/call-via-switchboard")

        assert twilio_api.created == []
        page = staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
        assert "Inget ringdes upp." in page
        assert "#31# före numret" in page
        assert "switchboard_call" not in _actions(session_factory)
        with session_factory() as session:
            jobs = session.scalars(select(OutboxEntry.job_name)).all()
        assert "forget_call" not in jobs
    finally:
        console.extensions["utvag"].engine.dispose()


def _transactions_open_elsewhere(engine: Engine) -> int:
    """Transactions other connections hold open right now. On SQLite: 1 if
    another connection holds the write lock (a write cannot start at once)."""
    if engine.dialect.name == "sqlite":
        probe = sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return 0
        except sqlite3.OperationalError:
            return 1
        finally:
            probe.close()
    with engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            )
            or 0
        )


def test_no_transaction_is_held_open_while_twilio_is_asked(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    twilio_api: FakeTwilio,
    engine: Engine,
) -> None:
    """Twilio may take up to its timeout to answer; a transaction open
    meanwhile would, on SQLite, hold every public submission back as long."""
    _set_my_phone(logged_in_staff, "070-555 66 77")
    _a_contact_i_am_calling(client, logged_in_staff)
    seen: list[int] = []
    twilio_api.while_creating = lambda: seen.append(_transactions_open_elsewhere(engine))

    _post(logged_in_staff, "/contacts/1/call-via-switchboard")

    assert seen == [0]
    assert "Din telefon ringer" in logged_in_staff.get("/contacts/1").get_data(as_text=True)


def test_twilio_failing_says_to_use_the_desk_phone(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _set_my_phone(logged_in_staff, "070-555 66 77")
    _a_contact_i_am_calling(client, logged_in_staff)
    twilio_api.failing = True

    _post(logged_in_staff, "/contacts/1/call-via-switchboard")

    page = logged_in_staff.get("/contacts/1").get_data(as_text=True)
    assert "Växeln svarade inte. Ring från bordstelefonen i stället." in page
    with session_factory() as session:
        assert session.scalars(select(OutboxEntry.job_name)).all().count("forget_call") == 0


def test_no_answer_from_the_person_is_logged_by_itself_and_an_answer_is_left_to_the_member(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    twilio_api: FakeTwilio,
    app_context: AppContext,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    _set_my_phone(logged_in_staff, "070-555 66 77")
    contact_id = _a_contact_i_am_calling(client, logged_in_staff)
    _post(logged_in_staff, f"/contacts/{contact_id}/call-via-switchboard")
    status_url = unescape(
        re.search(r'statusCallback="([^"]+)"', twilio_api.created[0]["Twiml"]).group(1)  # type: ignore[union-attr]
    )
    path = status_url.removeprefix(PUBLIC_URL)

    answered = _signed(client, path, {"CallSid": "CA" + "7" * 32, "CallStatus": "completed"})
    assert answered.status_code == 204
    forged = client.post(path, data={"CallStatus": "no-answer"})
    assert forged.status_code == 403
    with session_factory() as session:
        assert session.scalars(select(CallAttempt)).all() == []

    for _ in range(2):  # Twilio may report it twice
        no_answer = _signed(client, path, {"CallSid": "CA" + "7" * 32, "CallStatus": "no-answer"})
        assert no_answer.status_code == 204
    relay(app_context.session_factory, app_context.redis_client)
    worker.build_worker(app_context).work(burst=True)

    with session_factory() as session:
        [attempt] = session.scalars(select(CallAttempt))
        contact = session.get(Contact, contact_id)
    assert (attempt.outcome, attempt.staff_member_id) == ("no_answer", team.created.admin.id)
    assert contact is not None
    assert contact.status == "waiting"
    assert contact.claimed_by_id is None
    assert _actions(session_factory).count("call_outcome") == 1


def test_a_status_callback_with_a_broken_reference_is_refused(client: FlaskClient) -> None:
    response = _signed(client, "/telephony/bridge-status?ref=nonsense", {"CallStatus": "busy"})
    assert response.status_code == 400


def _signed(client: FlaskClient, path: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def _actions(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_removing_a_member_forgets_their_phone(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    from support import add_member

    other = add_member(session_factory, team, "bo", "coordinator")
    from utvag.store.db import transaction

    with transaction(session_factory) as session:
        member = session.get(StaffMember, other.created.admin.id)
        assert member is not None
        member.sealed_phone = b"sealed phone"
    _post(logged_in_staff, f"/admin/members/{other.created.admin.id}/remove", {"confirm": "yes"})
    with session_factory() as session:
        member = session.get(StaffMember, other.created.admin.id)
        assert member is not None
        assert member.sealed_phone is None
