"""Every console route declares who may use it; a new route without a rule fails here."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from support import TeamFixture, add_member, csrf_token_from, log_in

from utvag.models import Role

PUBLIC = "public"
EXPECTED_RULES = {
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "health.healthz": PUBLIC,
    "queue.home": Role.COORDINATOR,
    "queue.queue": Role.COORDINATOR,
    "queue.poll": Role.COORDINATOR,
    "contacts.show": Role.COORDINATOR,
    "contacts.claim": Role.COORDINATOR,
    "contacts.release": Role.COORDINATOR,
    "contacts.log_attempt": Role.COORDINATOR,
    "contacts.start_case": Role.COORDINATOR,
    "contacts.close": Role.COORDINATOR,
    "contacts.refer": Role.COORDINATOR,
    "cases.index": Role.LEAD,
    "cases.show": Role.LEAD,
    "cases.update": Role.LEAD,
    "cases.decide": Role.LEAD,
    "settings.show": Role.LEAD,
    "settings.hours": Role.LEAD,
    "settings.add_closed_day": Role.LEAD,
    "settings.remove_closed_day": Role.LEAD,
    "settings.add_checklist_item": Role.LEAD,
    "settings.set_checklist_item_active": Role.LEAD,
    "reports.calls": Role.LEAD,
    "reports.calls_csv": Role.LEAD,
}


def _rule_of(app: Flask, endpoint: str) -> object:
    view = app.view_functions[endpoint]
    return PUBLIC if getattr(view, "is_public", False) else getattr(view, "required_role", None)


def _guarded_requests(app: Flask) -> list[tuple[str, str, object]]:
    requests = []
    for rule in app.url_map.iter_rules():
        needed = EXPECTED_RULES.get(rule.endpoint)
        if rule.endpoint == "static" or needed in (None, PUBLIC):
            continue
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            requests.append((method, path, needed))
    return requests


def test_every_console_route_has_the_expected_rule(console_app: Flask) -> None:
    found = {
        rule.endpoint: _rule_of(console_app, rule.endpoint)
        for rule in console_app.url_map.iter_rules()
        if rule.endpoint != "static"
    }
    assert found == EXPECTED_RULES


def test_every_guarded_route_sends_a_stranger_to_the_login(console_app: Flask) -> None:
    client = console_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    for method, path, _needed in _guarded_requests(console_app):
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login"), (method, path)


@pytest.mark.usefixtures("during_office_hours")
def test_a_coordinator_is_refused_every_lead_route(
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    coordinator = add_member(session_factory, team, "cora", Role.COORDINATOR.value)
    client = console_app.test_client()
    assert log_in(client, coordinator).status_code == 302
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))

    lead_only = [r for r in _guarded_requests(console_app) if r[2] is Role.LEAD]
    assert lead_only
    for method, path, _needed in lead_only:
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (method, path)


def test_every_refusal_of_the_data_layer_reads_in_swedish() -> None:
    from pathlib import Path

    from triage.labels import CALL_ERROR_TEXT

    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("utvag/repo/*.py"), *root.glob("triage/*.py")]
    raised = {
        message
        for path in sources
        for message in re.findall(r'raise CallError\(\s*"([^"]+)"', path.read_text())
    }
    assert raised
    assert raised <= set(CALL_ERROR_TEXT)
