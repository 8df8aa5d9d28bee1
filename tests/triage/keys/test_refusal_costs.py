"""A refusal costs the same Argon2 work whether or not the name exists, so the
time an answer takes does not tell which usernames (or invitations) exist.

The work is counted, not timed: every Argon2id derivation goes through
``nacl.pwhash.argon2id.kdf``, which the test wraps to count calls (it still
does the real work).
"""

from __future__ import annotations

import re

import nacl.pwhash.argon2id
import pytest
from flask import Flask
from flask.testing import FlaskClient
from support import TeamFixture, csrf_token_from, post_form

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = nacl.pwhash.argon2id.kdf

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(nacl.pwhash.argon2id, "kdf", counting)
    return calls


def _cost_of(calls: list[int], send) -> int:  # type: ignore[no-untyped-def]
    calls.clear()
    send()
    return len(calls)


def _invite(logged_in_staff: FlaskClient, username: str) -> str:
    token = csrf_token_from(logged_in_staff.get("/admin/members").get_data(as_text=True))
    page = logged_in_staff.post(
        "/admin/members", data={"csrf_token": token, "username": username, "role": "coordinator"}
    ).get_data(as_text=True)
    match = re.search(r'class="code"[^>]*><strong>([^<]+)</strong>', page)
    assert match, "the invitation page shows no code"
    return match.group(1)


def test_enrol_costs_the_same_for_an_unknown_name(
    logged_in_staff: FlaskClient, console_app: Flask, argon2_calls: list[int]
) -> None:
    _invite(logged_in_staff, "cora")
    browser = console_app.test_client()
    wrong_code = "ABCD-EFGH-JKMN-PQRS"

    known = _cost_of(
        argon2_calls,
        lambda: post_form(browser, "/enrol", {"username": "cora", "code": wrong_code}),
    )
    unknown = _cost_of(
        argon2_calls,
        lambda: post_form(browser, "/enrol", {"username": "nobody", "code": wrong_code}),
    )
    malformed = _cost_of(
        argon2_calls,
        lambda: post_form(browser, "/enrol", {"username": "cora", "code": "x"}),
    )
    assert known == 1
    assert unknown == known
    assert malformed == known


def test_recovery_costs_the_same_for_an_unknown_name(
    console_client: FlaskClient, team: TeamFixture, argon2_calls: list[int]
) -> None:
    def attempt(username: str, code: str) -> None:
        response = post_form(
            console_client,
            "/recover",
            {
                "username": username,
                "recovery_code": code,
                "password": "a brand new long password",
                "password2": "a brand new long password",
            },
        )
        assert response.status_code == 401

    wrong = "ABCD-EFGH-JKMN-PQRS-TVWX-YZ"  # well formed, 26 characters
    known = _cost_of(argon2_calls, lambda: attempt(team.admin_username, wrong))
    unknown = _cost_of(argon2_calls, lambda: attempt("nobody", wrong))
    assert known == 1
    assert unknown == known


def test_login_costs_the_same_for_an_unknown_name(
    console_client: FlaskClient, team: TeamFixture, argon2_calls: list[int]
) -> None:
    def attempt(username: str) -> None:
        response = post_form(
            console_client,
            "/login",
            {"username": username, "password": "wrong password!", "otp": "123456"},
        )
        assert response.status_code == 401

    known = _cost_of(argon2_calls, lambda: attempt(team.admin_username))
    unknown = _cost_of(argon2_calls, lambda: attempt("nobody"))
    assert known == 1
    assert unknown == known
