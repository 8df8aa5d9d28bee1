"""Logging in to the console: password by unwrapping the team key, plus TOTP."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, log_in

from utvag.models import AuditEvent, StaffSession

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
