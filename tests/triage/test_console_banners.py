"""Every console action ends with a banner that says what happened, drawn as
the GOV.UK Design System draws it: a refusal as an error summary (so a screen
reader announces it and no one mistakes it for success), a done action as a
green success banner, anything else to know as a blue notification banner."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, add_member, csrf_token_from, log_in, post_form

from utvag.store.models import Contact

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None) -> str:
    """POST like the page's own form, follow the redirect, return the page."""
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=True)
    return response.get_data(as_text=True)


def _block(page: str, css_class: str) -> str | None:
    """The text inside the first <div> whose class list is exactly ``css_class``."""
    match = re.search(rf'<div class="{css_class}"[^>]*>(.*?)</div>', page, flags=re.S)
    return match.group(1) if match else None


def _callback(client: FlaskClient) -> int:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    with client.application.extensions["utvag"].session_factory() as session:
        return max(session.scalars(select(Contact.id)))


def test_a_refusal_is_an_error_summary_not_a_success(
    client: FlaskClient, logged_in_staff: FlaskClient
) -> None:
    contact_id = _callback(client)
    page = _post(logged_in_staff, f"/contacts/{contact_id}/reply", {"reply": "  "})

    summary = _block(page, "error-summary")
    assert summary is not None
    assert "Något behöver rättas" in summary
    assert "Skriv ett svar först" in summary
    assert 'role="alert"' in page.split('class="error-summary"', 1)[1][:40]
    assert "notification-banner--success" not in page


def test_a_done_action_is_a_success_banner(
    client: FlaskClient, logged_in_staff: FlaskClient
) -> None:
    contact_id = _callback(client)
    page = _post(logged_in_staff, f"/contacts/{contact_id}/claim")

    banner = _block(page, "notification-banner notification-banner--success")
    assert banner is not None
    assert "Klart" in banner
    assert "Du ringer nu" in banner
    assert "error-summary" not in page


def test_something_to_know_is_a_plain_banner(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    contact_id = _callback(client)
    _post(logged_in_staff, f"/contacts/{contact_id}/claim")
    colleague = console_app.test_client()
    log_in(colleague, add_member(session_factory, team, "bo", "coordinator"))

    page = _post(colleague, f"/contacts/{contact_id}/claim")

    banner = _block(page, "notification-banner")
    assert banner is not None
    assert "Viktigt" in banner
    assert "anna ringer redan" in banner
    assert "notification-banner--success" not in page
    assert "error-summary" not in page


def test_a_case_refusal_is_an_error_and_a_case_save_a_success(
    client: FlaskClient, logged_in_staff: FlaskClient
) -> None:
    contact_id = _callback(client)
    _post(logged_in_staff, f"/contacts/{contact_id}/claim")
    _post(logged_in_staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    page = _post(logged_in_staff, f"/contacts/{contact_id}/case")
    case_id = re.search(r'action="/cases/(\d+)/', page)
    assert case_id is not None
    checks = f"/cases/{case_id.group(1)}/register-checks"

    refused = _post(logged_in_staff, checks, {"relapse": "0"})
    assert "Skriv dagen" in (_block(refused, "error-summary") or "")
    assert "notification-banner--success" not in refused

    saved = _post(logged_in_staff, checks, {"checked_on": "2026-11-24", "relapse": "0"})
    assert "Sparat" in (_block(saved, "notification-banner notification-banner--success") or "")
    assert "error-summary" not in saved
