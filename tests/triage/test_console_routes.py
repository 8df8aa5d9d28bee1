"""Every console route declares who may use it; a new route without a rule fails here."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from support import TeamFixture, add_member, csrf_token_from, log_in

from utvag.store.models import Role

PUBLIC = "public"
EXPECTED_RULES = {
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "health.healthz": PUBLIC,
    "health.worker_health": PUBLIC,
    "queue.home": Role.COORDINATOR,
    "queue.queue": Role.COORDINATOR,
    "queue.poll": Role.COORDINATOR,
    "queue.junk": Role.COORDINATOR,
    "queue.accept": Role.COORDINATOR,
    "contacts.show": Role.COORDINATOR,
    "contacts.claim": Role.COORDINATOR,
    "contacts.release": Role.COORDINATOR,
    "contacts.log_attempt": Role.COORDINATOR,
    "contacts.start_case": Role.COORDINATOR,
    "contacts.close": Role.COORDINATOR,
    "contacts.refer": Role.COORDINATOR,
    "contacts.reply": Role.COORDINATOR,
    "contacts.set_acute": Role.COORDINATOR,
    "call_from.change": Role.COORDINATOR,
    "recorded.new": Role.COORDINATOR,
    "cases.index": Role.COORDINATOR,
    "cases.show": Role.COORDINATOR,
    "cases.update": Role.COORDINATOR,
    "cases.add_assessment": Role.COORDINATOR,
    "cases.add_meeting": Role.COORDINATOR,
    "cases.add_register_check": Role.COORDINATOR,
    "cases.add_consent": Role.COORDINATOR,
    "cases.withdraw_consent": Role.COORDINATOR,
    "cases.mapping_done": Role.COORDINATOR,
    "case_followup.add_partner_meeting": Role.COORDINATOR,
    "case_followup.add_outcome_check": Role.COORDINATOR,
    "case_followup.due": Role.COORDINATOR,
    "case_decisions.accept": Role.LEAD,
    "case_decisions.decline": Role.LEAD,
    "case_decisions.close": Role.LEAD,
    "case_decisions.confirm_criteria": Role.LEAD,
    "case_decisions.set_mapping": Role.LEAD,
    "handover.form": Role.LEAD,
    "handover.hand_over_contact": Role.LEAD,
    "case_investigation.open_investigation": Role.COORDINATOR,
    "case_investigation.decide": Role.COORDINATOR,
    "case_investigation.set_decider": Role.ADMIN,
    "case_investigation.set_decider_rule": Role.ADMIN,
    "case_funds.apply": Role.LEAD,
    "case_funds.answer": Role.LEAD,
    "referrals_out.refer_contact": Role.COORDINATOR,
    "referrals_out.refer_case": Role.COORDINATOR,
    "settings.show": Role.LEAD,
    "settings.hours": Role.LEAD,
    "settings.clocks": Role.LEAD,
    "settings.add_closed_day": Role.LEAD,
    "settings.remove_closed_day": Role.LEAD,
    "settings.add_extra_open_day": Role.LEAD,
    "settings.notice_times": Role.LEAD,
    "notices.mine": Role.COORDINATOR,
    "settings.remove_extra_open_day": Role.LEAD,
    "settings.add_checklist_item": Role.LEAD,
    "settings.set_checklist_item_active": Role.LEAD,
    "public_page.show": Role.LEAD,
    "public_page.listing": Role.LEAD,
    "public_page.edit_text": Role.LEAD,
    "reports.calls": Role.LEAD,
    "reports.calls_csv": Role.LEAD,
    "followup.page": Role.LEAD,
    "followup.csv": Role.LEAD,
    "followup.pdf": Role.LEAD,
    "retention.page": Role.LEAD,
    "retention.keep_longer": Role.LEAD,
    "audit.trail": Role.LEAD,
    "audit.export": Role.LEAD,
    "accounts.reseal": Role.LEAD,
    "keys.page": Role.LEAD,
    "keys.destroy": Role.LEAD,
    "voice.play": Role.COORDINATOR,
    "switchboard.my_phone": Role.COORDINATOR,
    "switchboard.call": Role.COORDINATOR,
    "accounts.members": Role.ADMIN,
    "accounts.invite_member": Role.ADMIN,
    "accounts.cancel_invitation": Role.ADMIN,
    "accounts.change_role": Role.ADMIN,
    "accounts.remove": Role.ADMIN,
    "accounts.unlock": Role.ADMIN,
    "accounts.rotate": Role.ADMIN,
    "self_service.enrol": PUBLIC,
    "self_service.recover": PUBLIC,
    "self_service.change_password": Role.COORDINATOR,
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
@pytest.mark.parametrize(
    ("role", "refused"),
    [
        (Role.COORDINATOR, {Role.LEAD, Role.ADMIN}),
        (Role.LEAD, {Role.ADMIN}),
    ],
)
def test_each_role_is_refused_every_route_above_it(
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    role: Role,
    refused: set[Role],
) -> None:
    member = add_member(session_factory, team, "cora", role.value)
    client = console_app.test_client()
    assert log_in(client, member).status_code == 302
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))

    above = [r for r in _guarded_requests(console_app) if r[2] in refused]
    assert above
    for method, path, _needed in above:
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (method, path)


def test_every_refusal_of_the_data_layer_reads_in_swedish() -> None:
    # Refusals carry a code; the labels map every code (the old check read the
    # English message texts out of the source, which a reworded message slipped).
    from triage.labels.names import CALL_PROBLEM_TEXT, TEAM_PROBLEM_TEXT
    from utvag.repo.calls import CallProblem
    from utvag.repo.teams import TeamProblem

    assert set(CALL_PROBLEM_TEXT) == set(CallProblem)
    assert set(TEAM_PROBLEM_TEXT) == set(TeamProblem)


def test_every_audited_action_has_a_name_for_the_lead() -> None:
    from pathlib import Path

    from triage.labels.names import ACTION_NAMES

    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("utvag/**/*.py"), *root.glob("triage/**/*.py")]
    recorded = {
        action
        for path in sources
        for action in re.findall(r'record\(\s*(?:db|session),\s*"([a-z_]+)"', path.read_text())
    }
    assert {"login", "login_failed", "decrypt", "claim", "call_outcome", "export"} <= recorded
    assert recorded <= set(ACTION_NAMES)


def test_every_refusal_of_a_case_reads_in_swedish() -> None:
    from triage.labels.cases import CASE_PROBLEM_TEXT
    from utvag.repo.cases import CaseProblem

    assert set(CASE_PROBLEM_TEXT) == set(CaseProblem)


def test_every_detail_the_audit_trail_records_has_a_swedish_name() -> None:
    import ast
    from pathlib import Path

    from triage.labels.audit import DETAIL_NAMES

    root = Path(__file__).resolve().parents[2]
    keys = set()
    for path in [*root.glob("triage/**/*.py"), *root.glob("utvag/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "details" and isinstance(keyword.value, ast.Dict):
                        keys |= {
                            key.value for key in keyword.value.keys if isinstance(key, ast.Constant)
                        }
    assert keys  # the scan found the details it is meant to check
    assert keys <= set(DETAIL_NAMES)
