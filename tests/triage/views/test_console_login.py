"""Logging in to the console: password by unwrapping the team key, plus TOTP."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, log_in

from utvag.store.models import AuditEvent, StaffSession

GENERIC_ERROR = "Användarnamnet, lösenordet eller koden är fel, eller så är kontot låst"


def _actions(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_queue_needs_a_login(console_client: FlaskClient) -> None:
    response = console_client.get("/queue")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_right_password_and_code_open_the_queue(
    console_client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = log_in(console_client, team)

    assert response.status_code == 302
    assert response.headers["Location"] == "/queue"
    assert console_client.get("/queue").status_code == 200
    assert _actions(session_factory)[-1] == "login"


@pytest.mark.parametrize(
    "overrides",
    [
        {"password": "not the password"},
        {"otp": "000000"},
        {"username": "nobody"},
        {"otp": ""},
    ],
    ids=["wrong-password", "wrong-code", "unknown-user", "no-code"],
)
def test_any_wrong_factor_gets_the_same_answer_and_no_session(
    console_client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    overrides: dict[str, str],
) -> None:
    response = log_in(console_client, team, **overrides)

    assert response.status_code == 401
    assert GENERIC_ERROR in response.get_data(as_text=True)
    assert console_client.get("/queue").status_code == 302
    with session_factory() as session:
        assert session.scalars(select(StaffSession)).all() == []


def test_a_totp_code_is_accepted_only_once(
    console_client: FlaskClient,
    console_app,
    team: TeamFixture,  # type: ignore[no-untyped-def]
) -> None:
    code = team.totp_now()
    assert log_in(console_client, team, otp=code).status_code == 302

    other_browser = console_app.test_client()
    assert log_in(other_browser, team, otp=code).status_code == 401


def test_the_session_holds_no_key_in_clear(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from support import team_keys

    [private_key] = team_keys(session_factory, team).values()
    with session_factory() as session:
        [record] = session.scalars(select(StaffSession))
    assert private_key not in record.sealed_team_keys
    assert private_key.hex().encode() not in record.sealed_team_keys
    cookie = logged_in_staff.get_cookie("utvag_console")
    assert cookie is not None
    assert private_key.hex() not in cookie.value


def test_logout_destroys_the_session_and_its_keys(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    page = logged_in_staff.get("/queue").get_data(as_text=True)
    from support import csrf_token_from

    response = logged_in_staff.post("/logout", data={"csrf_token": csrf_token_from(page)})

    assert response.status_code == 302
    assert logged_in_staff.get("/queue").status_code == 302
    with session_factory() as session:
        assert session.scalars(select(StaffSession)).all() == []
    assert _actions(session_factory)[-1] == "logout"


def test_an_idle_session_expires_after_thirty_minutes(
    console_client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import timedelta

    time_machine.move_to("2026-11-24T08:00:00+01:00", tick=False)
    assert log_in(console_client, team).status_code == 302
    time_machine.shift(timedelta(minutes=29))
    assert console_client.get("/queue").status_code == 200  # still in: idle 29 minutes
    time_machine.shift(timedelta(minutes=30, seconds=1))  # idle just over 30, an hour in all
    assert console_client.get("/queue").status_code == 302
    with session_factory() as session:
        assert session.scalars(select(StaffSession)).all() == []


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("//evil.example/", "/queue"),
        ("https://evil.example/", "/queue"),
        ("/\\evil.example", "/queue"),
        ("http:/evil.example", "/queue"),
        ("javascript:alert(1)", "/queue"),
        ("/contacts/7", "/contacts/7"),
    ],
)
def test_the_next_parameter_cannot_leave_the_console(
    console_client: FlaskClient, team: TeamFixture, target: str, lands_on: str
) -> None:
    response = log_in(console_client, team, request={"query_string": {"next": target}})
    assert response.status_code == 302
    assert response.headers["Location"] == lands_on


def test_session_cookie_is_httponly_and_strict(
    console_client: FlaskClient, team: TeamFixture
) -> None:
    response = log_in(console_client, team)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


def test_the_session_cookie_is_secure_outside_localhost(
    console_app,
    team: TeamFixture,  # type: ignore[no-untyped-def]
) -> None:
    browser = console_app.test_client()
    response = log_in(browser, team, request={"base_url": "https://utvag.intern.example/"})
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_busy_session_still_ends_after_its_absolute_lifetime(
    console_client: FlaskClient,
    team: TeamFixture,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import timedelta

    time_machine.move_to("2026-11-24T08:00:00+01:00")
    assert log_in(console_client, team).status_code == 302
    logged_in_staff = console_client
    for _ in range(20):  # active every 29 minutes: never idle for 30
        time_machine.shift(timedelta(minutes=29))
        assert logged_in_staff.get("/queue").status_code == 200
    time_machine.shift(timedelta(minutes=29))  # 21 x 29 min: over 10 hours in all
    assert logged_in_staff.get("/queue").status_code == 302


@pytest.mark.parametrize(
    "moment",
    ["2026-11-24T09:05:00+00:00", "2026-03-29T01:30:00+00:00", "2027-01-01T00:00:00+00:00"],
)
def test_times_read_as_babel_writes_them_in_swedish(moment: str) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    from triage import local_time

    value = datetime.fromisoformat(moment)
    zone = ZoneInfo("Europe/Stockholm")
    assert local_time(value, zone) == format_datetime(
        value, "EEE d MMM HH:mm", tzinfo=zone, locale="sv"
    )


def _events(session_factory) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_every_login_outcome_is_audited_with_who_and_why(
    console_app,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import timedelta

    time_machine.move_to("2026-11-24T10:00:00+01:00", tick=False)
    admin = team.created.admin
    who = {"team_id": admin.team_id, "actor_id": admin.id, "actor_name": admin.username}

    def last() -> dict[str, object]:
        event = _events(session_factory)[-1]
        return {
            "action": event.action,
            "team_id": event.team_id,
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "details": event.details,
        }

    browser = console_app.test_client()
    assert log_in(browser, team).status_code == 302
    assert last() == {"action": "login", **who, "details": {}}

    time_machine.shift(timedelta(seconds=31))
    assert log_in(console_app.test_client(), team, password="wrong password!").status_code == 401
    assert last() == {"action": "login_failed", **who, "details": {"reason": "credentials"}}

    assert log_in(console_app.test_client(), team, username="nobody").status_code == 401
    assert last() == {
        "action": "login_failed",
        "team_id": None,
        "actor_id": None,
        "actor_name": None,
        "details": {"reason": "credentials"},
    }

    for _ in range(4):
        log_in(console_app.test_client(), team, password="wrong password!")
    locked = [event for event in _events(session_factory) if event.action == "account_locked"]
    assert len(locked) == 1
    assert (locked[0].team_id, locked[0].actor_id, locked[0].actor_name) == tuple(who.values())
    log_in(console_app.test_client(), team)
    assert last() == {"action": "login_failed", **who, "details": {"reason": "locked"}}

    elsewhere = {"environ_base": {"REMOTE_ADDR": "198.51.100.200"}}
    for _ in range(20):
        log_in(console_app.test_client(), team, username="nobody", request=elsewhere)
    refused = log_in(console_app.test_client(), team, request=elsewhere)
    assert refused.status_code == 429
    assert last() == {
        "action": "login_refused",
        "team_id": None,
        "actor_id": None,
        "actor_name": None,
        "details": {"reason": "network"},
    }


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("{code}", True),
        ("{spaced}", True),
        ("abcdef", False),
        ("", False),
        ("{ahead}", False),
        # The right code in Arabic-Indic digits: str.isdigit() takes them, and
        # hmac.compare_digest raised on them (a 500); it is a wrong code.
        ("{arabic}", False),
    ],
)
def test_the_authenticator_code(
    console_client: FlaskClient,
    team: TeamFixture,
    time_machine,  # type: ignore[no-untyped-def]
    typed: str,
    accepted: bool,
) -> None:
    import pyotp

    time_machine.move_to("2026-11-24T10:00:05+01:00", tick=False)
    totp = pyotp.TOTP(team.totp_secret)
    code = totp.now()
    ahead = totp.at(time_machine_now() + 60)  # two steps in the future: too far
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    otp = typed.format(code=code, spaced=f"{code[:3]} {code[3:]}", ahead=ahead, arabic=arabic)
    response = log_in(console_client, team, otp=otp)
    assert response.status_code == (302 if accepted else 401)


def time_machine_now() -> float:
    import time

    return time.time()


def test_a_sessions_keys_open_only_with_its_own_cookie(
    console_app,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    """Two sessions: what is sealed in one row cannot be opened with the other
    row's cookie, nor with no cookie at all (a copy of the table opens nothing)."""
    from datetime import timedelta

    import nacl.exceptions

    from triage.keys.keyring import _box

    time_machine.move_to("2026-11-24T10:00:00+01:00", tick=False)
    first, second = console_app.test_client(), console_app.test_client()
    assert log_in(first, team).status_code == 302
    time_machine.shift(timedelta(seconds=31))
    assert log_in(second, team).status_code == 302
    with session_factory() as session:
        rows = list(session.scalars(select(StaffSession)))
    assert len(rows) == 2
    assert rows[0].sealed_team_keys != rows[1].sealed_team_keys
    tokens = []
    for browser in (first, second):
        with browser.session_transaction() as cookie:
            tokens.append(cookie["sid"])
    for token, row in zip(tokens, reversed(rows), strict=True):
        with pytest.raises(nacl.exceptions.CryptoError):
            _box(token).decrypt(row.sealed_team_keys)
    with pytest.raises(nacl.exceptions.CryptoError):
        _box("").decrypt(rows[0].sealed_team_keys)


def test_a_disabled_members_session_ends_at_the_next_request(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.clock import utcnow
    from utvag.store.db import transaction
    from utvag.store.models import StaffMember

    with transaction(session_factory) as session:
        session.get(StaffMember, team.created.admin.id).disabled_at = utcnow()
    assert logged_in_staff.get("/queue").status_code == 302
    with session_factory() as session:
        assert session.scalars(select(StaffSession)).all() == []


def test_a_session_row_its_cookie_cannot_open_is_deleted(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import update

    from utvag.store.db import transaction

    with transaction(session_factory) as session:
        session.execute(update(StaffSession).values(sealed_team_keys=b"\x00" * 80))
    assert logged_in_staff.get("/queue").status_code == 302
    with session_factory() as session:
        assert session.scalars(select(StaffSession)).all() == []
