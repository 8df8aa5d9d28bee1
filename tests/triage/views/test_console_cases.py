"""A case as the team works it: coordinators record, the lead decides, and
each rule of the lifecycle holds over HTTP like a browser without JavaScript."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, add_member, csrf_token_from, lead_decides, log_in, post_form

from utvag.store.models import (
    AuditEvent,
    Case,
    CaseAssessment,
    CaseConsent,
    CaseMeeting,
    Contact,
    RegisterCheck,
    StaffMember,
)

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture(autouse=True)
def _the_lead_decides(team: TeamFixture, session_factory) -> None:  # type: ignore[no-untyped-def]
    """These tests are of the lead's own decisions; where social services
    decide, tests/triage/views/test_case_investigation.py."""
    lead_decides(session_factory, team)


TODAY = "2026-11-24"


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _pending_case(client: FlaskClient, staff: FlaskClient, session_factory) -> int:  # type: ignore[no-untyped-def]
    """A person asks to be called, is reached, and becomes a pending case."""
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    with session_factory() as session:
        contact_id = max(session.scalars(select(Contact.id)))
    _post(staff, f"/contacts/{contact_id}/claim")
    _post(staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    _post(staff, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        return session.scalars(select(Case.id).where(Case.contact_id == contact_id)).one()


def _item_ids(staff: FlaskClient, case_id: int) -> list[str]:
    page = staff.get(f"/cases/{case_id}").get_data(as_text=True)
    return sorted(set(re.findall(r'name="check-(\d+)"', page)))


def _all_met(staff: FlaskClient, case_id: int, **extra: str) -> None:
    form = {f"check-{item}": "met" for item in _item_ids(staff, case_id)}
    _post(staff, f"/cases/{case_id}", {**form, **extra})


def _case(session_factory, case_id: int) -> Case:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.get(Case, case_id)


def _member_id(session_factory, username: str) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.scalars(select(StaffMember.id).where(StaffMember.username == username)).one()


def _accept(staff: FlaskClient, case_id: int, person: int, due: str = "2026-12-22"):  # type: ignore[no-untyped-def]
    return _post(
        staff,
        f"/cases/{case_id}/accept",
        {"contact_person": str(person), "mapping_due_on": due, "confirm": "yes"},
    )


@pytest.fixture
def coordinator(console_app: Flask, team: TeamFixture, session_factory) -> FlaskClient:  # type: ignore[no-untyped-def]
    colleague = console_app.test_client()
    response = log_in(colleague, add_member(session_factory, team, "bo", "coordinator"))
    assert response.status_code == 302
    return colleague


def test_a_coordinator_works_a_pending_case_and_only_the_lead_decides(
    client: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, coordinator, session_factory)

    page = coordinator.get(f"/cases/{case_id}")
    assert page.status_code == 200
    _all_met(coordinator, case_id, notes="Vill flytta till sin moster")
    assert (
        _post(
            coordinator,
            f"/cases/{case_id}/meetings",
            {"held_on": TODAY, "roles": "police", "note": "Första samverkansmötet"},
        ).status_code
        == 302
    )

    refused = _accept(coordinator, case_id, _member_id(session_factory, "bo"))
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert 'lang="sv"' in text
    assert "Din roll" in text
    assert "Forbidden" not in text
    for action in ("decline", "close", "confirm-criteria", "mapping"):
        assert (
            _post(coordinator, f"/cases/{case_id}/{action}", {"confirm": "yes"}).status_code == 403
        )
    assert _case(session_factory, case_id).status == "pending"
    assert "Första samverkansmötet" in coordinator.get(f"/cases/{case_id}").get_data(as_text=True)


def test_accepting_asks_first_and_starts_the_mapping_phase_with_a_contact_person(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    _all_met(logged_in_staff, case_id)
    bo = _member_id(session_factory, "bo")

    asked = _post(
        logged_in_staff,
        f"/cases/{case_id}/accept",
        {"contact_person": str(bo), "mapping_due_on": "2026-12-22"},
    )
    assert asked.status_code == 200
    assert 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    assert _case(session_factory, case_id).status == "pending"

    _accept(logged_in_staff, case_id, bo)

    case = _case(session_factory, case_id)
    assert case.status == "accepted"
    assert case.contact_person_id == bo
    assert case.mapping_due_on.isoformat() == "2026-12-22"
    listing = coordinator.get("/cases").get_data(as_text=True)
    assert "kartläggning" in listing.lower()


def test_an_overdue_mapping_shows_until_it_is_marked_done(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    _all_met(logged_in_staff, case_id)
    # The earliest day Vägvalet's agreement allows: two weeks.
    _accept(logged_in_staff, case_id, _member_id(session_factory, "anna"), due="2026-12-08")
    assert "försenad" not in logged_in_staff.get("/cases").get_data(as_text=True)

    time_machine.move_to("2026-12-09T10:00:00+01:00", tick=True)
    log_in(logged_in_staff, team)
    assert "kartläggningen försenad sedan" in logged_in_staff.get("/cases").get_data(as_text=True)
    page = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Kartläggningen skulle vara klar 2026-12-08" in page

    _post(logged_in_staff, f"/cases/{case_id}/mapping-done", {"done_on": "2026-12-09"})
    assert "försenad" not in logged_in_staff.get("/cases").get_data(as_text=True)
    assert _case(session_factory, case_id).mapping_done_on.isoformat() == "2026-12-09"


def test_a_no_after_acceptance_is_confronted_until_the_lead_confirms(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    _all_met(logged_in_staff, case_id)
    _accept(logged_in_staff, case_id, _member_id(session_factory, "anna"))
    nothing = _post(logged_in_staff, f"/cases/{case_id}/confirm-criteria", {"confirm": "yes"})
    assert nothing.status_code == 302
    assert "Ingen förutsättning väntar" in logged_in_staff.get(f"/cases/{case_id}").get_data(
        as_text=True
    )

    first = _item_ids(coordinator, case_id)[0]
    _post(coordinator, f"/cases/{case_id}", {f"check-{first}": "not_met"})

    warning = "En förutsättning har besvarats med ”nej” sedan ärendet antogs."
    assert warning in coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "verksamhetsledaren ska besluta" in coordinator.get("/cases").get_data(as_text=True)
    _post(logged_in_staff, f"/cases/{case_id}/confirm-criteria", {"confirm": "yes"})
    assert warning not in logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _case(session_factory, case_id).status == "accepted"


def test_closing_takes_a_reason_and_a_day_that_has_happened(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    pending_close = _post(
        logged_in_staff,
        f"/cases/{case_id}/close",
        {"reason": "moved", "closed_on": TODAY, "confirm": "yes"},
    )
    assert pending_close.status_code == 302
    assert _case(session_factory, case_id).status == "pending"
    _all_met(logged_in_staff, case_id)
    _accept(logged_in_staff, case_id, _member_id(session_factory, "anna"))

    for form, message in [
        ({"reason": "", "closed_on": TODAY}, "Välj varför ärendet avslutas"),
        ({"reason": "moved", "closed_on": "2026-12-01"}, "Dagen kan inte vara i framtiden"),
        ({"reason": "moved", "closed_on": "24/11"}, "Skriv dagen som år-månad-dag"),
    ]:
        _post(logged_in_staff, f"/cases/{case_id}/close", {**form, "confirm": "yes"})
        assert message in logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
        assert _case(session_factory, case_id).status == "accepted"

    _post(
        logged_in_staff,
        f"/cases/{case_id}/close",
        {"reason": "established", "closed_on": "2026-11-23", "confirm": "yes"},
    )
    case = _case(session_factory, case_id)
    assert (case.status, case.close_reason) == ("closed", "established")
    assert case.closed_on.isoformat() == "2026-11-23"
    assert case.ended_at is not None
    assert "etablerad på ny ort" in logged_in_staff.get("/cases").get_data(as_text=True)
    with session_factory() as session:
        details = [
            event.details
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "case_closed")
            )
        ]
    assert details == [{"case": case_id, "what": "established"}]


def test_a_declined_case_ends_and_cannot_be_decided_again(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    _post(logged_in_staff, f"/cases/{case_id}/decline", {"confirm": "yes"})
    assert _case(session_factory, case_id).status == "declined"
    _all_met(logged_in_staff, case_id)
    _accept(logged_in_staff, case_id, _member_id(session_factory, "anna"))
    assert "Ärendet är redan beslutat" in logged_in_staff.get(f"/cases/{case_id}").get_data(
        as_text=True
    )
    assert _case(session_factory, case_id).status == "declined"


@pytest.mark.parametrize(
    ("path", "form", "model"),
    [
        ("meetings", {"held_on": "2026-11-25", "roles": "police"}, CaseMeeting),
        ("register-checks", {"checked_on": "2026-11-25", "relapse": "0"}, RegisterCheck),
        (
            "consents",
            {"given_on": "2026-11-25", "covers": "Informationsutbyte", "authorities": "Polisen"},
            CaseConsent,
        ),
        (
            "assessments",
            {"kind": "threat", "level": "concrete", "by": "police", "assessed_on": "2026-11-25"},
            CaseAssessment,
        ),
        ("meetings", {"held_on": "2020-01-01", "roles": "police"}, CaseMeeting),
        ("meetings", {"held_on": TODAY, "roles": "the boss"}, CaseMeeting),
        ("meetings", {"held_on": TODAY}, CaseMeeting),
        ("register-checks", {"checked_on": TODAY}, RegisterCheck),
        ("consents", {"given_on": TODAY, "covers": "", "authorities": "Polisen"}, CaseConsent),
        ("assessments", {"kind": "threat", "level": "strong", "by": "police"}, CaseAssessment),
    ],
)
def test_a_record_with_a_bad_day_or_missing_part_is_refused_whole(
    client: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    path: str,
    form: dict[str, str],
    model: type,
) -> None:
    case_id = _pending_case(client, coordinator, session_factory)
    _post(coordinator, f"/cases/{case_id}/{path}", form)
    with session_factory() as session:
        assert session.scalars(select(model)).all() == []
    page = coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    assert re.search(r"kan inte vara|Skriv|Välj|Ange", page), (
        "the refusal is said on the page in Swedish"
    )


def test_consent_is_a_record_given_and_withdrawn(
    client: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, coordinator, session_factory)
    _post(
        coordinator,
        f"/cases/{case_id}/consents",
        {
            "given_on": TODAY,
            "covers": "Informationsutbyte om boende",
            "authorities": "Polisen, KVF",
        },
    )
    with session_factory() as session:
        consent = session.scalars(select(CaseConsent)).one()
    assert b"Polisen" not in consent.sealed_content
    page = coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Informationsutbyte om boende" in page
    assert 'href="#consent"' in page  # the checklist's consent item links to the record

    withdraw = f"/cases/{case_id}/consents/{consent.id}/withdraw"
    _post(coordinator, withdraw, {"withdrawn_on": TODAY})
    _post(coordinator, withdraw, {"withdrawn_on": TODAY})
    assert "Det samtycket är redan återkallat" in coordinator.get(f"/cases/{case_id}").get_data(
        as_text=True
    )
    with session_factory() as session:
        assert session.get(CaseConsent, consent.id).withdrawn_on.isoformat() == TODAY


def test_the_intake_meeting_and_the_duty_to_report_step_are_recorded(
    client: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, coordinator, session_factory)
    _post(
        coordinator,
        f"/cases/{case_id}",
        {
            "police_meeting_at": "2026-11-23T13:00",
            "police_meeting_held": "1",
            "roles": ["person", "police"],  # type: ignore[dict-item]
            "duty_to_report_told_on": "2026-11-23",
        },
    )
    case = _case(session_factory, case_id)
    assert case.police_meeting_held is True
    assert case.police_meeting_roles == ["person", "police"]
    assert case.duty_to_report_told_on.isoformat() == "2026-11-23"

    _post(coordinator, f"/cases/{case_id}", {"duty_to_report_told_on": "2026-11-30"})
    assert _case(session_factory, case_id).duty_to_report_told_on.isoformat() == "2026-11-23"


def test_an_acute_risk_goes_to_the_top_of_the_queue_with_the_escalation_step(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    for _ in range(2):
        post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    _post(logged_in_staff, "/contacts/2/acute", {"acute": "1"})

    html = logged_in_staff.get("/queue").get_data(as_text=True)
    acute = html.index("Akut risk")
    assert acute < html.index('href="/contacts/1"')
    assert "112" in html[acute : acute + 800]
    assert 'href="/contacts/2"' in html[acute : acute + 800]
    with session_factory() as session:
        assert session.get(Contact, 2).acute_risk is True
        assert session.get(Contact, 1).acute_risk is False


def test_a_walk_in_is_recorded_sealed_with_who_took_it(
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    bo = _member_id(session_factory, "bo")
    missing = post_form(coordinator, "/contacts/new", {"kind": "defector", "channel": "walk_in"})
    assert missing.status_code == 400
    with session_factory() as session:
        assert session.scalars(select(Contact)).all() == []

    response = post_form(
        coordinator,
        "/contacts/new",
        {
            "kind": "defector",
            "channel": "walk_in",
            "phone": "0701234567",
            "wants_callback": "1",
            "note": "Kom till receptionen, vill prata om att lämna",
            "taken_by": str(bo),
            "under_18": "no",
        },
    )
    assert response.status_code == 302
    with session_factory() as session:
        contact = session.scalars(select(Contact)).one()
    assert (contact.channel, contact.recorded_by_id, contact.taken_by_id) == ("walk_in", bo, bo)
    assert contact.under_18 is False
    assert b"receptionen" not in contact.sealed_content
    assert b"0701234567" not in contact.sealed_content
    page = coordinator.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Kom till receptionen" in page
