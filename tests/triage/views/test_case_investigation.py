"""The social services' investigation and decision on a case, over HTTP like a
browser without JavaScript: where the team's rule asks for it only a member
holding the decider right decides, acceptance follows the recorded decision,
every step is audited, and bad input stores nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, add_member, csrf_token_from, log_in, post_form

from utvag.store.models import AuditEvent, Case, Contact, Investigation, StaffMember, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")

TODAY = "2026-11-24"


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _flash(client: FlaskClient, path: str, data: dict[str, str]) -> str:
    response = _post(client, path, data)
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _pending_case(client: FlaskClient, staff: FlaskClient, session_factory) -> int:  # type: ignore[no-untyped-def]
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    with session_factory() as session:
        contact_id = max(session.scalars(select(Contact.id)))
    _post(staff, f"/contacts/{contact_id}/claim")
    _post(staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    _post(staff, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        return session.scalars(select(Case.id).where(Case.contact_id == contact_id)).one()


def _all_met(staff: FlaskClient, case_id: int) -> None:
    import re

    page = staff.get(f"/cases/{case_id}").get_data(as_text=True)
    items = set(re.findall(r'name="check-(\d+)"', page))
    _post(staff, f"/cases/{case_id}", {f"check-{item}": "met" for item in items})


def _member_id(session_factory, username: str) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.scalars(select(StaffMember.id).where(StaffMember.username == username)).one()


def _investigation(session_factory, case_id: int) -> Investigation | None:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.scalar(select(Investigation).where(Investigation.case_id == case_id))


def _status(session_factory, case_id: int) -> str:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.get(Case, case_id).status


def _actions(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _decide(client: FlaskClient, case_id: int, outcome: str, day: str = TODAY, reason: str = ""):  # type: ignore[no-untyped-def]
    data = {"outcome": outcome, "decided_on": day, "reason": reason, "confirm": "yes"}
    return _flash(client, f"/cases/{case_id}/decision", data)


def _open(client: FlaskClient, case_id: int, by: int, day: str = TODAY) -> str:
    return _flash(
        client, f"/cases/{case_id}/investigation", {"opened_on": day, "opened_by": str(by)}
    )


def _accept(staff: FlaskClient, case_id: int, person: int) -> str:
    data = {"contact_person": str(person), "mapping_due_on": "2026-12-22", "confirm": "yes"}
    return _flash(staff, f"/cases/{case_id}/accept", data)


@pytest.fixture
def coordinator(console_app: Flask, team: TeamFixture, session_factory) -> FlaskClient:  # type: ignore[no-untyped-def]
    colleague = console_app.test_client()
    assert log_in(colleague, add_member(session_factory, team, "bo", "coordinator")).status_code
    return colleague


@pytest.fixture
def lead(console_app: Flask, team: TeamFixture, session_factory) -> FlaskClient:  # type: ignore[no-untyped-def]
    colleague = console_app.test_client()
    assert log_in(colleague, add_member(session_factory, team, "lena", "lead")).status_code
    return colleague


def test_where_social_services_decide_only_a_decider_decides_and_acceptance_follows(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    lead: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, coordinator, session_factory)
    _all_met(coordinator, case_id)
    bo, lena = _member_id(session_factory, "bo"), _member_id(session_factory, "lena")

    # Vägvalet's preset: social services decide.
    shown = coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'action="/cases/{case_id}/investigation"' in shown
    page = _open(coordinator, case_id, bo)
    # Only one who may decide is offered the decision's form.
    assert f'action="/cases/{case_id}/decision"' not in page
    assert "Sparat." in page
    assert "Socialtjänsten beslutar här" in page
    assert _investigation(session_factory, case_id).opened_by_id == bo

    # The lead cannot accept on a bare click, nor decline, nor decide by role.
    assert "efter ett registrerat beslut om bifall" in _accept(lead, case_id, bo)
    assert "registrera deras beslut om avslag" in _flash(
        lead, f"/cases/{case_id}/decline", {"confirm": "yes"}
    )
    for member in (coordinator, lead):
        refused = _decide(member, case_id, "granted")
        assert "Bara den som har rätt att fatta beslut" in refused
        assert _investigation(session_factory, case_id).outcome is None
    assert _status(session_factory, case_id) == "pending"

    # The admin gives the coordinator the right; now bo decides.
    _flash(logged_in_staff, f"/admin/members/{bo}/decider", {"decider": "1"})
    asked = _post(
        coordinator,
        f"/cases/{case_id}/decision",
        {"outcome": "granted", "decided_on": TODAY},
    )
    assert asked.status_code == 200
    assert 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    assert _investigation(session_factory, case_id).outcome is None
    assert f'action="/cases/{case_id}/decision"' in coordinator.get(f"/cases/{case_id}").get_data(
        as_text=True
    )
    assert "Sparat." in _decide(coordinator, case_id, "granted")
    investigation = _investigation(session_factory, case_id)
    assert (investigation.outcome, investigation.decided_by_id) == ("granted", bo)
    assert investigation.decided_on.isoformat() == TODAY
    assert _status(session_factory, case_id) == "pending"

    _accept(lead, case_id, lena)
    assert _status(session_factory, case_id) == "accepted"
    actions = _actions(session_factory)
    for action in ("case_investigation_opened", "decider_granted", "case_decision_recorded"):
        assert action in actions
    assert actions.index("case_decision_recorded") < actions.index("case_decided")
    shown = lead.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "bifall" in shown
    assert "Utredning inledd" in shown


def test_a_refusal_needs_a_reason_ends_the_case_and_the_reason_is_sealed(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    anna = _member_id(session_factory, "anna")
    _flash(logged_in_staff, f"/admin/members/{anna}/decider", {"decider": "1"})
    _open(logged_in_staff, case_id, anna)

    page = _decide(logged_in_staff, case_id, "refused", reason="   ")
    assert "Skriv skälet till ett beslut om avslag" in page
    assert _investigation(session_factory, case_id).outcome is None
    assert _status(session_factory, case_id) == "pending"

    reason = "Uppfyller-inte-Blåbär-22 definitionen"
    _decide(logged_in_staff, case_id, "refused", reason=reason)
    investigation = _investigation(session_factory, case_id)
    assert investigation.outcome == "refused"
    assert investigation.sealed_reason.startswith(b"US")
    assert reason.encode() not in investigation.sealed_reason
    assert _status(session_factory, case_id) == "declined"
    assert reason in logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "redan beslutat" in _decide(logged_in_staff, case_id, "granted")


@pytest.mark.parametrize(
    ("opened", "decided", "message"),
    [
        ("2026-11-25", None, "Dagen kan inte vara i framtiden."),
        ("2026-11-23", None, "innan kontakten kom in"),
        (TODAY, "2026-11-25", "Dagen kan inte vara i framtiden."),
        (TODAY, "2026-11-23", "innan kontakten kom in"),
        ("bad", None, "år-månad-dag"),
        (TODAY, "24/11", "år-månad-dag"),
    ],
)
def test_impossible_days_are_refused_in_swedish_and_nothing_is_stored(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    opened: str,
    decided: str | None,
    message: str,
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    anna = _member_id(session_factory, "anna")
    _flash(logged_in_staff, f"/admin/members/{anna}/decider", {"decider": "1"})
    page = _open(logged_in_staff, case_id, anna, opened)
    if decided is None:
        assert message in page
        assert _investigation(session_factory, case_id) is None
        assert "case_investigation_opened" not in _actions(session_factory)
        return
    assert _investigation(session_factory, case_id) is not None
    assert message in _decide(logged_in_staff, case_id, "granted", day=decided)
    assert _investigation(session_factory, case_id).outcome is None
    assert "case_decision_recorded" not in _actions(session_factory)


def test_a_decision_dated_before_the_investigation_opened_is_refused(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import timedelta

    from utvag.store.db import transaction

    case_id = _pending_case(client, logged_in_staff, session_factory)
    with transaction(session_factory) as session:
        contact = session.get(Contact, session.get(Case, case_id).contact_id)
        contact.created_at -= timedelta(days=4)  # came in on 2026-11-20
    anna = _member_id(session_factory, "anna")
    _flash(logged_in_staff, f"/admin/members/{anna}/decider", {"decider": "1"})
    _open(logged_in_staff, case_id, anna, "2026-11-22")
    page = _decide(logged_in_staff, case_id, "granted", day="2026-11-21")
    assert "innan utredningen inleddes" in page
    assert _investigation(session_factory, case_id).outcome is None
    assert "Sparat." in _decide(logged_in_staff, case_id, "granted", day="2026-11-22")


def test_where_the_lead_decides_the_rule_off_keeps_the_lead_in_charge(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _flash(logged_in_staff, "/admin/decider-rule", {})
    with session_factory() as session:
        assert session.scalars(select(Team.decision_needs_decider)).one() is False
    assert "decider_rule_changed" in _actions(session_factory)

    case_id = _pending_case(client, coordinator, session_factory)
    bo = _member_id(session_factory, "bo")
    _open(coordinator, case_id, bo)
    # A decider flag alone does not make a coordinator the lead here.
    _flash(logged_in_staff, f"/admin/members/{bo}/decider", {"decider": "1"})
    assert "Bara verksamhetsledaren" in _decide(coordinator, case_id, "granted")
    assert "Sparat." in _decide(logged_in_staff, case_id, "granted")
    assert _investigation(session_factory, case_id).decided_by_id == _member_id(
        session_factory, "anna"
    )


def test_the_decider_right_and_the_rule_are_only_the_admins(
    logged_in_staff: FlaskClient,
    lead: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    lena = _member_id(session_factory, "lena")
    assert _post(lead, f"/admin/members/{lena}/decider", {"decider": "1"}).status_code == 403
    assert _post(lead, "/admin/decider-rule", {}).status_code == 403
    with session_factory() as session:
        assert session.get(StaffMember, lena).is_decider is False
        assert session.scalars(select(Team.decision_needs_decider)).one() is True
    _flash(logged_in_staff, f"/admin/members/{lena}/decider", {"decider": "1"})
    _flash(logged_in_staff, f"/admin/members/{lena}/decider", {"decider": "0"})
    with session_factory() as session:
        assert session.get(StaffMember, lena).is_decider is False
        revoked = session.scalar(select(func.count()).where(AuditEvent.action == "decider_revoked"))
    assert revoked == 1


def test_the_presets_say_who_decides(session_factory, console_keys) -> None:  # type: ignore[no-untyped-def]
    from crypto.kdf import TEST_COST
    from utvag.repo.team_setup import create_team
    from utvag.store.db import transaction

    made = {}
    for number, preset in enumerate(
        ("vagvalet", "kunskapscentrum", "konsultationsteamet", "linkoping")
    ):
        with transaction(session_factory) as session:
            created = create_team(
                session,
                slug=f"team-{number}",
                name=preset,
                admin_username=f"admin{number}",
                admin_password="a long enough test password",
                hours_spec="mon-fri 08:00-16:00",
                timezone="Europe/Stockholm",
                cost=TEST_COST,
                keys=console_keys,
                checklist_preset=preset,
            )
            made[preset] = created.team.decision_needs_decider
    assert made == {
        "vagvalet": True,
        "kunskapscentrum": True,
        "konsultationsteamet": False,
        "linkoping": False,
    }


def test_every_refusal_of_a_decision_reads_in_swedish() -> None:
    from triage.labels.decisions import DECISION_PROBLEM_TEXT
    from utvag.repo.investigations import DecisionProblem

    assert set(DECISION_PROBLEM_TEXT) == set(DecisionProblem)
