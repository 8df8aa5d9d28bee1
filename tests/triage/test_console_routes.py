"""Every console route declares who may use it; a new route without a rule fails here."""

from __future__ import annotations

from flask import Flask

from utvag.models import Role

EXPECTED_RULES = {
    "auth.login": "public",
    "auth.logout": "public",
    "health.healthz": "public",
    "queue.home": Role.COORDINATOR,
    "queue.queue": Role.COORDINATOR,
    "contacts.show": Role.COORDINATOR,
}


def test_every_console_route_has_the_expected_rule(console_app: Flask) -> None:
    found = {}
    for rule in console_app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = console_app.view_functions[rule.endpoint]
        found[rule.endpoint] = (
            "public" if getattr(view, "is_public", False) else getattr(view, "required_role", None)
        )
    assert found == EXPECTED_RULES


def test_every_guarded_route_sends_a_stranger_to_the_login(console_app: Flask) -> None:
    client = console_app.test_client()
    for rule in console_app.url_map.iter_rules():
        if EXPECTED_RULES.get(rule.endpoint) in (None, "public"):
            continue
        path = rule.rule.replace("<int:contact_id>", "1")
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login"), path
