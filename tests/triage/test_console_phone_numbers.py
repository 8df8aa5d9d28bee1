"""Toll fraud in the console: every number staff store to be dialled goes
through the one check, refused in Swedish with the reason; the switchboard
never dials a number the check refuses, even one kept before it existed."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, csrf_token_from, post_form, sealed_submission
from twilio_fake import FakeTwilio, with_hotline

from utvag.config import Config
from utvag.repo.contacts import create_contact
from utvag.repo.teams import active_team_key
from utvag.sealed_fields import seal_fields
from utvag.store.db import transaction
from utvag.store.models import Contact, StaffMember, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")

NEVER_CALLED = [
    "0900 123 45 67",  # Swedish premium rate
    "0939 123 456",
    "0944 123 456",
    "+881 6 1234 5678",  # satellite
    "+882 34 21234",
    "+44 70 1234 5678",  # UK personal number
]
NOT_CALLABLE = "Den sortens nummer ringer vi inte"
OTHER_COUNTRY = "Vi ringer bara nummer i Sverige"


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    return with_hotline(config, twilio_api)


def _post(staff: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token_from(staff.get("/queue").get_data(as_text=True))
    return staff.post(path, data={"csrf_token": token, **data}, follow_redirects=True)


def _contacts(session_factory) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


@pytest.mark.parametrize("typed", [*NEVER_CALLED, "+47 412 34 567"])
def test_a_members_own_phone_must_be_one_we_call(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    typed: str,
) -> None:
    page = _post(logged_in_staff, "/account/phone", {"phone": typed}).get_data(as_text=True)
    assert (OTHER_COUNTRY if typed.startswith("+47") else NOT_CALLABLE) in page
    with session_factory() as session:
        assert session.scalars(select(StaffMember)).one().sealed_phone is None


@pytest.mark.parametrize("typed", NEVER_CALLED)
def test_a_recorded_contact_keeps_no_number_we_never_call(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    typed: str,
) -> None:
    response = _post(
        logged_in_staff,
        "/contacts/new",
        {
            "kind": "defector",
            "channel": "walk_in",
            "phone": typed,
            "wants_callback": "1",
            "note": "kom in i receptionen",
            "taken_by": str(team.created.admin.id),
        },
    )
    assert response.status_code == 400
    assert NOT_CALLABLE in response.get_data(as_text=True)
    assert _contacts(session_factory) == 0


def test_a_relatives_referral_keeps_no_number_we_never_call(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67", "kind": "relative"})
    for typed in NEVER_CALLED:
        page = _post(logged_in_staff, "/contacts/1/referral", {"phone": typed}).get_data(
            as_text=True
        )
        assert NOT_CALLABLE in page, typed
    assert _contacts(session_factory) == 1
    _post(logged_in_staff, "/contacts/1/referral", {"phone": "073-555 12 34"})
    assert _contacts(session_factory) == 2


def _team_settings(staff: FlaskClient, **fields: str):  # type: ignore[no-untyped-def]
    form = {"hours": "mon-fri 08:00-16:00", "max_call_attempts": "3", "retention_days": "180"}
    return _post(staff, "/team/hours", {**form, **fields}).get_data(as_text=True)


def test_the_duty_phone_must_be_one_we_call_but_the_public_number_may_be_any(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    assert NOT_CALLABLE in _team_settings(logged_in_staff, duty_phone="0900 123 45 67")
    assert OTHER_COUNTRY in _team_settings(logged_in_staff, duty_phone="+47 412 34 567")
    with session_factory() as session:
        assert session.scalars(select(Team)).one().duty_phone is None

    # People dial the programme's own number, we never do: 020 is fine there.
    _team_settings(logged_in_staff, duty_phone="070-999 88 77", public_phone="020-123 456")
    with session_factory() as session:
        team = session.scalars(select(Team)).one()
    assert (team.duty_phone, team.public_phone) == ("+46709998877", "020-12 34 56")


def _contact_kept_before_the_check(session_factory, team: TeamFixture, phone: str) -> int:  # type: ignore[no-untyped-def]
    """A call-back request whose sealed number no check would take today."""
    with transaction(session_factory) as session:
        the_team = session.get(Team, team.created.team.id)
        key = active_team_key(session, the_team.id)
        contact, _ = create_contact(
            session,
            the_team,
            sealed_submission(
                wants_callback=True,
                key_id=key.key_id,
                sealed_content=seal_fields(key.public_key, {"phone": phone, "window": "asap"}),
            ),
        )
        return contact.id


def test_the_switchboard_never_dials_a_number_the_check_refuses(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _post(logged_in_staff, "/account/phone", {"phone": "070-555 66 77"})
    contact_id = _contact_kept_before_the_check(session_factory, team, "+46900123456")
    _post(logged_in_staff, f"/contacts/{contact_id}/claim", {})

    page = logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "Ring inte det här numret." in page
    assert 'href="tel:+46900123456"' not in page

    done = _post(logged_in_staff, f"/contacts/{contact_id}/call-via-switchboard", {})

    assert NOT_CALLABLE in done.get_data(as_text=True)
    assert twilio_api.created == []


def test_the_switchboard_still_dials_a_swedish_mobile(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    twilio_api: FakeTwilio,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _post(logged_in_staff, "/account/phone", {"phone": "070-555 66 77"})
    contact_id = _contact_kept_before_the_check(session_factory, team, "+46701234567")
    _post(logged_in_staff, f"/contacts/{contact_id}/claim", {})
    page = logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert 'href="tel:+46701234567"' in page
    _post(logged_in_staff, f"/contacts/{contact_id}/call-via-switchboard", {})
    [made] = twilio_api.created
    assert ">+46701234567</Number>" in made["Twiml"]
