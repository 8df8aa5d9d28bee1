"""Staff accounts and keys: enrolment, passwords, lockout, removal, rotation, recovery."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import (
    TeamFixture,
    add_member,
    create_malmo,
    csrf_token_from,
    log_in,
    post_form,
    team_keys,
)

from utvag.repo.throttle import Purpose
from utvag.store.db import transaction
from utvag.store.models import (
    AuditEvent,
    Contact,
    Enrolment,
    KeyWrap,
    NetworkThrottle,
    StaffMember,
    StaffSession,
    TeamKey,
)

pytestmark = pytest.mark.usefixtures("during_office_hours")

NEW_PASSWORD = "three ordinary words together"
ONE_NETWORK = {"REMOTE_ADDR": "198.51.100.9"}


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None, **options):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue", **options).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})}, **options)


def _actions(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _invite(admin: FlaskClient, username: str, role: str = "coordinator") -> str:
    page = _post(admin, "/admin/members", {"username": username, "role": role})
    match = re.search(r'class="code"[^>]*><strong>([^<]+)</strong>', page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)
    return match.group(1)


def _enrol(app: Flask, username: str, code: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    client = app.test_client()
    step_two = post_form(client, "/enrol", {"username": username, "code": code})
    html = step_two.get_data(as_text=True)
    secret = re.search(r'<code translate="no">([A-Z2-7]+)</code>', html)
    assert secret, html
    token = csrf_token_from(html)
    response = client.post(
        "/enrol",
        data={
            "csrf_token": token,
            "username": username,
            "code": code,
            "password": password,
            "password2": password,
            "otp": pyotp.TOTP(secret.group(1)).now(),
        },
    )
    return response, secret.group(1)


def test_an_invited_member_enrols_and_reads_contacts(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app: Flask,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "Hej från en som vill ut"})
    code = _invite(logged_in_staff, "cora")

    response, secret = _enrol(console_app, "cora", code)

    assert response.status_code == 302
    with session_factory() as session:
        assert session.scalars(select(Enrolment)).all() == []
        cora = session.scalars(select(StaffMember).where(StaffMember.username == "cora")).one()
        assert session.scalars(select(KeyWrap).where(KeyWrap.staff_member_id == cora.id)).all()
    time_machine.shift(timedelta(seconds=31))
    cora_client = console_app.test_client()
    login = post_form(
        cora_client,
        "/login",
        {"username": "cora", "password": NEW_PASSWORD, "otp": pyotp.TOTP(secret).now()},
    )
    assert login.status_code == 302
    assert "Hej från en som vill ut" in cora_client.get("/contacts/1").get_data(as_text=True)
    assert {"account_invited", "account_enrolled"} <= set(_actions(session_factory))


def test_an_enrolment_code_works_once(logged_in_staff: FlaskClient, console_app: Flask) -> None:
    code = _invite(logged_in_staff, "cora")
    assert _enrol(console_app, "cora", code)[0].status_code == 302
    again = post_form(console_app.test_client(), "/enrol", {"username": "cora", "code": code})
    assert again.status_code == 401


def test_five_wrong_codes_destroy_the_invitation(
    logged_in_staff: FlaskClient,
    console_app: Flask,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    code = _invite(logged_in_staff, "cora")
    stranger = console_app.test_client()
    for _ in range(5):
        wrong = post_form(stranger, "/enrol", {"username": "cora", "code": "AAAA-BBBB-CCCC-DDDD"})
        assert wrong.status_code == 401
    with session_factory() as session:
        assert session.scalars(select(Enrolment)).all() == []
    assert post_form(stranger, "/enrol", {"username": "cora", "code": code}).status_code == 401


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "minst 12 tecken"),
        ("password1234", "för lätt att gissa"),
        ("cora is my password", "användarnamnet"),
    ],
)
def test_a_weak_password_is_refused_at_enrolment(
    logged_in_staff: FlaskClient, console_app: Flask, password: str, message: str
) -> None:
    code = _invite(logged_in_staff, "cora")
    response, _secret = _enrol(console_app, "cora", code, password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_an_expired_invitation_is_refused(
    logged_in_staff: FlaskClient,
    console_app: Flask,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    code = _invite(logged_in_staff, "cora")
    time_machine.shift(timedelta(days=4))
    response = post_form(console_app.test_client(), "/enrol", {"username": "cora", "code": code})
    assert response.status_code == 401


def test_changing_the_password_rewraps_and_ends_other_sessions(
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    other_browser = console_app.test_client()
    time_machine.shift(timedelta(seconds=31))
    assert log_in(other_browser, team).status_code == 302

    response = _post(
        logged_in_staff,
        "/account/password",
        {"password": team.password, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert logged_in_staff.get("/queue").status_code == 200
    assert other_browser.get("/queue").status_code == 302
    time_machine.shift(timedelta(seconds=31))
    assert log_in(console_app.test_client(), team).status_code == 401
    time_machine.shift(timedelta(seconds=31))
    assert log_in(console_app.test_client(), team, password=NEW_PASSWORD).status_code == 302
    assert "password_changed" in _actions(session_factory)


def test_five_failures_lock_the_account_even_against_the_right_password(
    console_app: Flask,
    team: TeamFixture,
    session_factory,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    browser = console_app.test_client()
    for _ in range(5):
        assert log_in(browser, team, password="wrong password!").status_code == 401
    assert log_in(browser, team).status_code == 401
    assert "account_locked" in _actions(session_factory)

    time_machine.shift(timedelta(minutes=16))
    assert log_in(browser, team).status_code == 302


def test_too_many_failures_from_one_network_are_throttled_without_storing_it(
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    attacker = {"REMOTE_ADDR": "192.0.2.17"}
    neighbour = {"REMOTE_ADDR": "192.0.2.200"}
    elsewhere = {"REMOTE_ADDR": "198.51.100.5"}
    browser = console_app.test_client()
    for number in range(20):
        post_form(
            browser,
            "/login",
            {"username": f"guess{number}", "password": "x" * 12, "otp": "123456"},
            environ_base=attacker,
        )

    same_net = post_form(
        browser,
        "/login",
        {"username": team.admin_username, "password": team.password, "otp": team.totp_now()},
        environ_base=neighbour,
    )
    assert same_net.status_code == 429
    assert (
        log_in(console_app.test_client(), team, request={"environ_base": elsewhere}).status_code
        == 302
    )
    with session_factory() as session:
        buckets = session.scalars(select(NetworkThrottle.bucket)).all()
    assert buckets
    assert all("192.0.2" not in bucket for bucket in buckets)


def test_a_removed_member_loses_sessions_and_keys(
    console_app: Flask,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    bo = add_member(session_factory, team, "bo", "coordinator")
    bo_browser = console_app.test_client()
    assert log_in(bo_browser, bo).status_code == 302
    with transaction(session_factory) as session:
        session.get(StaffMember, bo.created.admin.id).notice_phone = "+46702223344"

    _post(logged_in_staff, f"/admin/members/{bo.created.admin.id}/remove", {"confirm": "yes"})

    assert bo_browser.get("/queue").status_code == 302
    with session_factory() as session:
        assert (
            session.scalars(
                select(KeyWrap).where(KeyWrap.staff_member_id == bo.created.admin.id)
            ).all()
            == []
        )
        assert (
            session.scalars(
                select(StaffSession).where(StaffSession.staff_member_id == bo.created.admin.id)
            ).all()
            == []
        )
        # Its notice phone, kept in clear for the worker, is forgotten too.
        assert session.get(StaffMember, bo.created.admin.id).notice_phone is None
    assert log_in(console_app.test_client(), bo).status_code == 401


def test_the_last_admin_cannot_be_demoted(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _post(logged_in_staff, f"/admin/members/{team.created.admin.id}/role", {"role": "coordinator"})
    with session_factory() as session:
        assert session.get(StaffMember, team.created.admin.id).role == "admin"


def test_a_coordinator_cannot_reach_account_administration(
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    cora = add_member(session_factory, team, "cora", "coordinator")
    browser = console_app.test_client()
    log_in(browser, cora)
    assert (
        _post(
            browser, f"/admin/members/{cora.created.admin.id}/role", {"role": "admin"}
        ).status_code
        == 403
    )
    assert (
        _post(browser, "/admin/members", {"username": "evil", "role": "admin"}).status_code == 403
    )
    with session_factory() as session:
        assert session.get(StaffMember, cora.created.admin.id).role == "coordinator"


def test_rotation_seals_new_contacts_to_a_new_key_and_old_ones_stay_readable(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    bo = add_member(session_factory, team, "bo", "coordinator")
    removed = add_member(session_factory, team, "ex", "coordinator")
    _post(logged_in_staff, f"/admin/members/{removed.created.admin.id}/remove", {"confirm": "yes"})
    post_form(client, "/sv/message", {"message": "före bytet"})

    _post(logged_in_staff, "/admin/keys/rotate", {"confirm": "yes"})
    post_form(client, "/sv/message", {"message": "efter bytet"})

    with session_factory() as session:
        old_key, new_key = session.scalars(select(TeamKey).order_by(TeamKey.id)).all()
        first, second = session.scalars(select(Contact).order_by(Contact.id)).all()
        removed_grants = session.scalars(
            select(KeyWrap).where(KeyWrap.staff_member_id == removed.created.admin.id)
        ).all()
    assert old_key.retired_at is not None
    assert (first.key_id, second.key_id) == (old_key.key_id, new_key.key_id)
    assert removed_grants == []
    assert "efter bytet" in logged_in_staff.get(f"/contacts/{second.id}").get_data(as_text=True)
    assert "före bytet" in logged_in_staff.get(f"/contacts/{first.id}").get_data(as_text=True)
    time_machine.shift(timedelta(seconds=31))
    bo_browser = console_app.test_client()
    log_in(bo_browser, bo)
    assert "efter bytet" in bo_browser.get(f"/contacts/{second.id}").get_data(as_text=True)

    _post(logged_in_staff, "/admin/keys/reseal")
    with session_factory() as session:
        assert session.get(Contact, first.id).key_id == new_key.key_id
    assert "före bytet" in logged_in_staff.get(f"/contacts/{first.id}").get_data(as_text=True)
    assert {"key_rotated", "resealed"} <= set(_actions(session_factory))


def test_the_recovery_code_restores_an_admin_who_lost_everything(
    client: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "läses efter återställning"})
    browser = console_app.test_client()

    response = post_form(
        browser,
        "/recover",
        {
            "username": team.admin_username,
            "recovery_code": team.created.recovery_code.lower(),
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    uri = re.search(r'(otpauth://totp/[^<"]+)', html).group(1).replace("&amp;", "&")
    assert "<svg" in html
    login = post_form(
        browser,
        "/login",
        {
            "username": team.admin_username,
            "password": NEW_PASSWORD,
            "otp": pyotp.parse_uri(uri).now(),
        },
    )
    assert login.status_code == 302
    assert "läses efter återställning" in browser.get("/contacts/1").get_data(as_text=True)
    assert log_in(console_app.test_client(), team).status_code == 401  # old password gone
    assert "recovery_used" in _actions(session_factory)


@pytest.mark.parametrize("who", ["admin-wrong-code", "coordinator"])
def test_recovery_is_refused_without_the_code_or_for_a_non_admin(
    console_app: Flask,
    team: TeamFixture,
    session_factory,
    who: str,  # type: ignore[no-untyped-def]
) -> None:
    username = team.admin_username
    code = "0000-0000-0000-0000-0000-0000-00"
    if who == "coordinator":
        username = add_member(session_factory, team, "cora", "coordinator").admin_username
        code = team.created.recovery_code
    response = post_form(
        console_app.test_client(),
        "/recover",
        {
            "username": username,
            "recovery_code": code,
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 401
    assert "recovery_failed" in _actions(session_factory)
    # Counted against the network, like a failed login.
    from sqlalchemy import func

    from utvag.store.models import NetworkThrottle

    with session_factory() as session:
        counted = session.scalar(
            select(func.sum(NetworkThrottle.count)).where(NetworkThrottle.purpose == "staff_login")
        )
    assert counted == 1


def test_the_lead_reads_the_audit_trail_by_member_and_contact(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "Hej"})
    logged_in_staff.get("/contacts/1")

    by_contact = logged_in_staff.get("/audit?contact=1").get_data(as_text=True)
    by_member = logged_in_staff.get(f"/audit?member={team.created.admin.id}").get_data(as_text=True)

    assert "kontakt läst" in by_contact
    assert "loggade in" not in by_contact
    assert "loggade in" in by_member
    assert "Granskningskedjan är hel." in by_member


def test_the_audit_page_says_when_the_chain_is_broken(
    logged_in_staff: FlaskClient,
    engine,  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'logout' WHERE id = 1"))
    assert "Granskningskedjan är bruten" in logged_in_staff.get("/audit").get_data(as_text=True)


def test_team_keys_helper_matches_the_active_key(team: TeamFixture, session_factory) -> None:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        active = session.scalars(select(TeamKey)).one()
    assert set(team_keys(session_factory, team)) == {active.key_id}


def test_wrong_current_passwords_are_counted_and_the_lock_ends_every_session(
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    other_browser = console_app.test_client()
    time_machine.shift(timedelta(seconds=31))
    assert log_in(other_browser, team).status_code == 302
    wrong = {
        "password": "not my password",
        "new_password": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    for _ in range(4):
        assert _post(logged_in_staff, "/account/password", wrong).status_code == 400
    assert _actions(session_factory).count("password_change_failed") == 4

    locked = _post(logged_in_staff, "/account/password", wrong)

    assert locked.status_code == 302
    assert locked.headers["Location"].endswith("/login")
    assert "account_locked" in _actions(session_factory)
    with session_factory() as session:
        assert session.scalars(select(StaffSession)).all() == []
    assert logged_in_staff.get("/queue").status_code == 302
    assert other_browser.get("/queue").status_code == 302
    time_machine.shift(timedelta(seconds=31))
    assert log_in(console_app.test_client(), team).status_code == 401  # locked
    time_machine.shift(timedelta(minutes=16))
    assert log_in(console_app.test_client(), team).status_code == 302  # the lock ran out


def test_wrong_current_passwords_count_against_the_network(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.store.models import StaffMember

    wrong = {
        "password": "not my password",
        "new_password": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    for _ in range(Purpose.STAFF_LOGIN.hourly_limit):
        with transaction(session_factory) as session:  # never lock the account itself
            session.get(StaffMember, team.created.admin.id).failed_logins = 0
        _post(logged_in_staff, "/account/password", wrong, environ_base=ONE_NETWORK)
    response = _post(
        logged_in_staff,
        "/account/password",
        {"password": team.password, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        environ_base=ONE_NETWORK,
    )
    assert response.status_code == 429


def test_recovery_and_login_work_with_another_team_on_the_same_database(
    client: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    """Each team's key grants are its own: another team's grants (to its own
    members and recovery key) are never tried, so they never get in the way."""
    create_malmo(session_factory, team.keys)
    post_form(client, "/sv/message", {"message": "till Vägvalet"})
    browser = console_app.test_client()
    recovered = post_form(
        browser,
        "/recover",
        {
            "username": team.admin_username,
            "recovery_code": team.created.recovery_code,
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert recovered.status_code == 200
    uri = re.search(r'(otpauth://totp/[^<"]+)', recovered.get_data(as_text=True))
    assert uri
    login = post_form(
        browser,
        "/login",
        {
            "username": team.admin_username,
            "password": NEW_PASSWORD,
            "otp": pyotp.parse_uri(uri.group(1).replace("&amp;", "&")).now(),
        },
    )
    assert login.status_code == 302
    assert "till Vägvalet" in browser.get("/contacts/1").get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "question"),
    [
        ("/admin/members/{bo}/remove", "Ta bort bo från teamet?"),
        ("/admin/keys/rotate", "Byta till en ny teamnyckel?"),
    ],
)
def test_removing_a_member_or_changing_the_key_asks_first_and_does_nothing_until_confirmed(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    path: str,
    question: str,
) -> None:
    bo = add_member(session_factory, team, "bo", "coordinator")
    before = _actions(session_factory)

    asked = _post(logged_in_staff, path.format(bo=bo.created.admin.id))

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert question in page
    assert 'name="confirm" value="yes"' in page
    assert "Nej, gå tillbaka" in page
    assert _actions(session_factory) == before


def test_after_a_key_is_destroyed_an_older_invitation_and_the_recovery_code_still_work(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    """Their copies of the destroyed key are gone with its lock; what they hold
    of the live key still opens."""
    post_form(client, "/sv/message", {"message": "före bytet"})
    _post(logged_in_staff, "/admin/keys/rotate", {"confirm": "yes"})
    code = _invite(logged_in_staff, "cora")  # carries the old key and the new one
    _post(logged_in_staff, "/admin/keys/reseal")
    with session_factory() as session:
        old = session.scalars(select(TeamKey).where(TeamKey.retired_at.is_not(None))).one()
    assert _post(logged_in_staff, f"/keys/{old.id}/destroy", {"confirm": "yes"}).status_code == 302
    assert team.keys.lock_secret(old.key_id) is None

    enrolled, secret = _enrol(console_app, "cora", code)
    assert enrolled.status_code == 302
    time_machine.shift(timedelta(seconds=31))
    cora = console_app.test_client()
    login = post_form(
        cora,
        "/login",
        {"username": "cora", "password": NEW_PASSWORD, "otp": pyotp.TOTP(secret).now()},
    )
    assert login.status_code == 302
    assert "före bytet" in cora.get("/contacts/1").get_data(as_text=True)
    with session_factory() as session:
        granted = session.scalars(select(TeamKey.key_id).join(KeyWrap)).all()
    assert old.key_id not in granted

    recovered = post_form(
        console_app.test_client(),
        "/recover",
        {
            "username": team.admin_username,
            "recovery_code": team.created.recovery_code,
            "password": "yet another long password",
            "password2": "yet another long password",
        },
    )
    assert recovered.status_code == 200
    assert "otpauth://" in recovered.get_data(as_text=True)
