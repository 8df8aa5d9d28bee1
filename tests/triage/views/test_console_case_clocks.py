"""The agreements' clocks on a case (issue 21, item 4): the mapping's 2-4
week window, a mapping "done" on the day of acceptance, register checks on a
schedule with the overdue ones counted on the queue's front page, the
over-18 rule of a Göteborg-style programme, and days before the case
refused. A rule is set aside only with the lead's reason, sealed and audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, add_member, csrf_token_from, lead_decides, log_in, post_form

from utvag.repo.checklists import CLOCKS, PRESETS
from utvag.store.models import (
    AuditEvent,
    Case,
    CaseClockException,
    CaseConsent,
    Contact,
    RegisterCheck,
    StaffMember,
    Team,
)

pytestmark = pytest.mark.usefixtures("during_office_hours")

TODAY = "2026-11-24"  # the during_office_hours Tuesday
IN_FOUR_WEEKS = "2026-12-22"
SEVEN_MONTHS = "2027-06-24"
REASON = "Personen sitter i häkte till februari"


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _pending_case(client: FlaskClient, staff: FlaskClient, session_factory, **form: str) -> int:  # type: ignore[no-untyped-def]
    post_form(client, "/sv/callback", {"phone": "070-123 45 67", **form})
    with session_factory() as session:
        contact_id = max(session.scalars(select(Contact.id)))
    _post(staff, f"/contacts/{contact_id}/claim")
    _post(staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    _post(staff, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        return session.scalars(select(Case.id).where(Case.contact_id == contact_id)).one()


def _all_met(staff: FlaskClient, case_id: int) -> None:
    page = staff.get(f"/cases/{case_id}").get_data(as_text=True)
    items = sorted(set(re.findall(r'name="check-(\d+)"', page)))
    _post(staff, f"/cases/{case_id}", {f"check-{item}": "met" for item in items})


def _me(session_factory) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.scalars(select(StaffMember.id).where(StaffMember.username == "anna")).one()


def _accept(staff: FlaskClient, case_id: int, person: int, due: str, **extra: str):  # type: ignore[no-untyped-def]
    return _post(
        staff,
        f"/cases/{case_id}/accept",
        {"contact_person": str(person), "mapping_due_on": due, "confirm": "yes", **extra},
    )


def _case(session_factory, case_id: int) -> Case:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.get(Case, case_id)


def _exceptions(session_factory, case_id: int) -> list[CaseClockException]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(
            session.scalars(select(CaseClockException).where(CaseClockException.case_id == case_id))
        )


def _audits(session_factory, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _accepted_case(client, staff, session_factory) -> int:  # type: ignore[no-untyped-def]
    case_id = _pending_case(client, staff, session_factory)
    _all_met(staff, case_id)
    _accept(staff, case_id, _me(session_factory), IN_FOUR_WEEKS)
    assert _case(session_factory, case_id).status == "accepted"
    return case_id


@pytest.fixture(autouse=True)
def _the_lead_decides(team: TeamFixture, session_factory) -> None:  # type: ignore[no-untyped-def]
    """These tests are of the agreements' clocks at the lead's acceptance;
    where social services decide first, tests/triage/views/test_case_investigation.py."""
    lead_decides(session_factory, team)


@pytest.fixture
def coordinator(console_app: Flask, team: TeamFixture, session_factory) -> FlaskClient:  # type: ignore[no-untyped-def]
    colleague = console_app.test_client()
    assert log_in(colleague, add_member(session_factory, team, "bo", "coordinator")).status_code
    return colleague


def test_every_preset_has_its_clocks_and_goteborg_takes_only_adults() -> None:
    assert set(CLOCKS) == set(PRESETS)
    assert (CLOCKS["vagvalet"].mapping_min_days, CLOCKS["vagvalet"].mapping_max_days) == (14, 28)
    assert CLOCKS["kunskapscentrum"].adults_only is True
    assert CLOCKS["vagvalet"].adults_only is False  # under-18s since 2023
    assert (
        CLOCKS["konsultationsteamet"].register_check_days < CLOCKS["vagvalet"].register_check_days
    )


def test_a_seven_month_mapping_due_date_is_refused_without_the_leads_reason(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    _all_met(logged_in_staff, case_id)
    page = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "mellan 2026-12-08 och 2026-12-22" in page

    _accept(logged_in_staff, case_id, _me(session_factory), SEVEN_MONTHS)
    refused = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "utanför den" in refused
    assert _case(session_factory, case_id).status == "pending"
    assert _exceptions(session_factory, case_id) == []

    _accept(logged_in_staff, case_id, _me(session_factory), SEVEN_MONTHS, exception_reason=REASON)
    case = _case(session_factory, case_id)
    assert case.status == "accepted"
    assert case.mapping_due_on.isoformat() == SEVEN_MONTHS
    (exception,) = _exceptions(session_factory, case_id)
    assert exception.kind == "mapping_due_outside_window"
    assert exception.sealed_reason is not None
    assert REASON.encode() not in exception.sealed_reason
    (audit,) = _audits(session_factory, "case_decided")
    assert audit.details["set_aside"] == ["mapping_due_outside_window"]
    assert REASON not in str(audit.details)
    shown = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert REASON in shown  # opened for the team, on the case page


def test_a_due_day_too_early_or_moved_outside_the_window_is_refused(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    _all_met(logged_in_staff, case_id)
    _accept(logged_in_staff, case_id, _me(session_factory), "2026-11-25")
    assert _case(session_factory, case_id).status == "pending"
    _accept(logged_in_staff, case_id, _me(session_factory), "2026-11-01")
    assert _case(session_factory, case_id).status == "pending"

    _accept(logged_in_staff, case_id, _me(session_factory), IN_FOUR_WEEKS)
    moved = {"contact_person": str(_me(session_factory)), "mapping_due_on": SEVEN_MONTHS}
    _post(logged_in_staff, f"/cases/{case_id}/mapping", moved)
    assert _case(session_factory, case_id).mapping_due_on.isoformat() == IN_FOUR_WEEKS
    _post(logged_in_staff, f"/cases/{case_id}/mapping", {**moved, "exception_reason": REASON})
    assert _case(session_factory, case_id).mapping_due_on.isoformat() == SEVEN_MONTHS
    assert [e.kind for e in _exceptions(session_factory, case_id)] == ["mapping_due_outside_window"]


def test_a_mapping_done_on_the_day_of_acceptance_needs_the_leads_reason(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _accepted_case(client, logged_in_staff, session_factory)

    _post(coordinator, f"/cases/{case_id}/mapping-done", {"done_on": TODAY})
    assert _case(session_factory, case_id).mapping_done_on is None
    assert "samma dag som ärendet antogs" in coordinator.get(f"/cases/{case_id}").get_data(
        as_text=True
    )
    # A coordinator cannot set the rule aside; the lead can, with a reason.
    _post(
        coordinator, f"/cases/{case_id}/mapping-done", {"done_on": TODAY, "exception_reason": "x"}
    )
    assert _case(session_factory, case_id).mapping_done_on is None
    assert _exceptions(session_factory, case_id) == []
    _post(
        logged_in_staff,
        f"/cases/{case_id}/mapping-done",
        {"done_on": TODAY, "exception_reason": REASON},
    )
    assert _case(session_factory, case_id).mapping_done_on.isoformat() == TODAY
    (exception,) = _exceptions(session_factory, case_id)
    assert exception.kind == "mapping_done_on_acceptance"
    (audit,) = _audits(session_factory, "case_mapping_done")
    assert audit.details["set_aside"] == ["mapping_done_on_acceptance"]


def _shift(session_factory, case_id: int, days: int) -> None:  # type: ignore[no-untyped-def]
    """Move the case's opening and decision ``days`` into the past (the
    console's session would expire if the clock moved instead)."""
    with session_factory() as session:
        case = session.get(Case, case_id)
        case.opened_at = case.opened_at - timedelta(days=days)
        if case.decided_at is not None:
            case.decided_at = case.decided_at - timedelta(days=days)
        session.commit()


def test_a_mapping_done_a_later_day_needs_no_reason(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _accepted_case(client, logged_in_staff, session_factory)
    _shift(session_factory, case_id, 15)  # accepted 2026-11-09
    _post(coordinator, f"/cases/{case_id}/mapping-done", {"done_on": "2026-11-08"})
    assert _case(session_factory, case_id).mapping_done_on is None  # before acceptance
    _post(coordinator, f"/cases/{case_id}/mapping-done", {"done_on": "2026-11-23"})
    assert _case(session_factory, case_id).mapping_done_on.isoformat() == "2026-11-23"
    assert _exceptions(session_factory, case_id) == []


def _make_adults_only(session_factory) -> None:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        team = session.scalars(select(Team)).one()
        clocks = CLOCKS["kunskapscentrum"]
        team.adults_only = clocks.adults_only
        session.commit()


def test_an_over_18_programme_refuses_someone_who_said_they_are_under_18_without_a_reason(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _make_adults_only(session_factory)
    case_id = _pending_case(client, logged_in_staff, session_factory, under_18="yes")
    _all_met(logged_in_staff, case_id)
    page = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "under 18 år" in page

    _accept(logged_in_staff, case_id, _me(session_factory), IN_FOUR_WEEKS)
    assert _case(session_factory, case_id).status == "pending"
    assert "varför ärendet ändå antas" in logged_in_staff.get(f"/cases/{case_id}").get_data(
        as_text=True
    )

    _accept(logged_in_staff, case_id, _me(session_factory), IN_FOUR_WEEKS, exception_reason=REASON)
    assert _case(session_factory, case_id).status == "accepted"
    assert [e.kind for e in _exceptions(session_factory, case_id)] == ["under_18_accepted"]
    (audit,) = _audits(session_factory, "case_decided")
    assert audit.details["set_aside"] == ["under_18_accepted"]


@pytest.mark.parametrize("answer", ["no", ""])
def test_an_over_18_programme_accepts_an_adult_or_an_unanswered_age(
    answer: str,
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _make_adults_only(session_factory)
    case_id = _pending_case(client, logged_in_staff, session_factory, under_18=answer)
    _all_met(logged_in_staff, case_id)
    _accept(logged_in_staff, case_id, _me(session_factory), IN_FOUR_WEEKS)
    assert _case(session_factory, case_id).status == "accepted"


def test_vagvalet_takes_under_18s_without_a_reason(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory, under_18="yes")
    _all_met(logged_in_staff, case_id)
    _accept(logged_in_staff, case_id, _me(session_factory), IN_FOUR_WEEKS)
    assert _case(session_factory, case_id).status == "accepted"


def test_overdue_register_checks_are_counted_on_the_queue_without_content(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    first = _accepted_case(client, logged_in_staff, session_factory)
    second = _pending_case(client, logged_in_staff, session_factory)
    assert "registerkontroll" not in logged_in_staff.get("/queue").get_data(as_text=True)

    # Vägvalet's interval is 90 days from the day the case opened: due today
    # is not yet late; a day more is.
    _shift(session_factory, first, 90)
    _shift(session_factory, second, 90)
    assert "registerkontroll" not in logged_in_staff.get("/queue").get_data(as_text=True)
    _shift(session_factory, first, 1)
    _shift(session_factory, second, 1)
    queue = logged_in_staff.get("/queue").get_data(as_text=True)
    assert "2 ärenden har en registerkontroll som är försenad" in queue
    assert 'href="/cases?late=register-check"' in queue
    assert "070" not in queue

    _post(
        logged_in_staff,
        f"/cases/{first}/register-checks",
        {"checked_on": TODAY, "relapse": "0"},
    )
    queue = logged_in_staff.get("/queue").get_data(as_text=True)
    assert "1 ärende har en registerkontroll som är försenad" in queue
    listed = logged_in_staff.get("/cases?late=register-check").get_data(as_text=True)
    assert f'/cases/{second}"' in listed
    assert f'/cases/{first}"' not in listed
    assert "registerkontroll försenad sedan" in listed
    case_page = logged_in_staff.get(f"/cases/{first}").get_data(as_text=True)
    assert "Nästa registerkontroll" in case_page
    assert "2027-02-22" in case_page

    # A declined case has no clock.
    _post(logged_in_staff, f"/cases/{second}/decline", {"confirm": "yes"})
    assert "registerkontroll" not in logged_in_staff.get("/queue").get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("", {"police_meeting_at": "2026-10-01T10:00"}),
        ("", {"police_meeting_at": "2026-10-01T10:00", "police_meeting_held": "1"}),
        ("", {"duty_to_report_told_on": "2026-10-01"}),
        ("/meetings", {"held_on": "2026-10-01", "roles": "police"}),
        ("/register-checks", {"checked_on": "2026-10-01", "relapse": "0"}),
        (
            "/assessments",
            {"kind": "threat", "level": "none", "by": "police", "assessed_on": "2026-10-01"},
        ),
        ("/consents", {"given_on": "2026-10-01", "covers": "x", "authorities": "y"}),
    ],
)
def test_a_day_before_the_contact_came_in_is_refused_and_nothing_is_saved(
    path: str,
    form: dict[str, str],
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    before = _case(session_factory, case_id)
    _post(logged_in_staff, f"/cases/{case_id}{path}", {"notes": "anteckning", **form})
    page = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Dagen kan inte vara före" in page
    after = _case(session_factory, case_id)
    assert after.police_meeting_at is None
    assert after.duty_to_report_told_on is None
    assert after.sealed_notes == before.sealed_notes
    with session_factory() as session:
        assert session.scalars(select(RegisterCheck)).all() == []


def test_a_close_before_acceptance_and_a_withdrawal_before_consent_are_refused(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _pending_case(client, logged_in_staff, session_factory)
    _shift(session_factory, case_id, 20)  # opened 2026-11-04
    _post(
        logged_in_staff,
        f"/cases/{case_id}/consents",
        {"given_on": "2026-11-20", "covers": "x", "authorities": "y"},
    )
    _all_met(logged_in_staff, case_id)
    _accept(logged_in_staff, case_id, _me(session_factory), IN_FOUR_WEEKS)
    _post(
        logged_in_staff,
        f"/cases/{case_id}/close",
        {"reason": "withdrew", "closed_on": "2026-11-10", "confirm": "yes"},
    )
    assert _case(session_factory, case_id).status == "accepted"
    page = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "före den dag ärendet antogs" in page
    consent_id = re.findall(r"/consents/(\d+)/withdraw", page)[0]
    _post(
        logged_in_staff,
        f"/cases/{case_id}/consents/{consent_id}/withdraw",
        {"withdrawn_on": "2026-11-19"},
    )
    assert "före den dag det gavs" in logged_in_staff.get(f"/cases/{case_id}").get_data(
        as_text=True
    )
    with session_factory() as session:
        assert session.scalars(select(CaseConsent.withdrawn_on)).one() is None


def test_the_lead_keeps_the_clocks_in_the_team_settings_and_the_case_follows(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    page = logged_in_staff.get("/team").get_data(as_text=True)
    assert 'name="mapping_max_days" min="1" max="365" value="28"' in page
    clocks = {
        "mapping_min_days": "21",
        "mapping_days": "35",
        "mapping_max_days": "42",
        "register_check_days": "30",
        "adults_only": "1",
    }
    for bad in ({"mapping_min_days": "50"}, {"register_check_days": "3"}, {"mapping_days": "x"}):
        _post(logged_in_staff, "/team/clocks", {**clocks, **bad})
        refused = logged_in_staff.get("/team").get_data(as_text=True)
        assert "registerkontroller var 7:e" in refused or "heltal" in refused
        with session_factory() as session:
            assert session.scalars(select(Team.mapping_max_days)).one() == 28
    assert _post(coordinator, "/team/clocks", clocks).status_code == 403

    _post(logged_in_staff, "/team/clocks", clocks)
    with session_factory() as session:
        team = session.scalars(select(Team)).one()
        assert (team.mapping_min_days, team.mapping_days, team.mapping_max_days) == (21, 35, 42)
        assert (team.register_check_days, team.adults_only) == (30, True)
    (audit,) = [
        a for a in _audits(session_factory, "settings_changed") if "adults_only" in a.details
    ]
    assert audit.details["register_check_days"] == 30

    case_id = _pending_case(client, logged_in_staff, session_factory)
    _all_met(logged_in_staff, case_id)
    page = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "mellan 2026-12-15 och 2027-01-05" in page
    assert 'value="2026-12-29"' in page  # the usual day, five weeks on
    _accept(logged_in_staff, case_id, _me(session_factory), "2026-12-10")
    assert _case(session_factory, case_id).status == "pending"  # 16 days is now too soon
    _accept(logged_in_staff, case_id, _me(session_factory), "2026-12-29")
    assert _case(session_factory, case_id).status == "accepted"
