"""Follow-up after the case in the console: partner meetings on a case,
outcome checks after it closed, and the due checks on the queue's front page
as counts and links only."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, log_in, post_form

from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Case, Contact, OutcomeCheck, PartnerMeeting

pytestmark = pytest.mark.usefixtures("during_office_hours")

TODAY = "2026-11-24"


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _case(client: FlaskClient, staff: FlaskClient, session_factory) -> int:  # type: ignore[no-untyped-def]
    """A person asks to be called, is reached, and becomes a case."""
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    with session_factory() as session:
        contact_id = max(session.scalars(select(Contact.id)))
    _post(staff, f"/contacts/{contact_id}/claim")
    _post(staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    _post(staff, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        return session.scalars(select(Case.id).where(Case.contact_id == contact_id)).one()


def _flash(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_a_partner_meeting_is_recorded_with_roles_outcome_and_a_sealed_note(
    client: FlaskClient, logged_in_staff: FlaskClient, session_factory
) -> None:  # type: ignore[no-untyped-def]
    case_id = _case(client, logged_in_staff, session_factory)
    meeting = {
        "held_on": TODAY,
        "partner_roles": ["police", "social_services"],
        "outcome": "plan_continues",
        "note": "Boende ordnat i Borås",
    }
    saved = _post(logged_in_staff, f"/cases/{case_id}/partner-meetings", meeting)
    assert saved.status_code == 302
    page = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Avstämningsmöten" in page
    assert "Boende ordnat i Borås" in page
    assert "planeringen fortsätter" in page
    with session_factory() as session:
        stored = session.scalars(select(PartnerMeeting)).one()
        assert stored.roles == ["police", "social_services"]
        assert stored.sealed_notes.startswith(b"US")
        assert "Borås".encode() not in stored.sealed_notes
        assert "case_partner_meeting_added" in session.scalars(select(AuditEvent.action)).all()

    for bad, words in [
        ({**meeting, "held_on": "2026-11-23"}, "före personens första kontakt"),
        ({**meeting, "held_on": "2026-11-25"}, "kan inte vara i framtiden"),
        ({**meeting, "held_on": "24/11"}, "år-månad-dag"),
        ({**meeting, "partner_roles": []}, "Välj vilka som deltog"),
        ({**meeting, "outcome": ""}, "Välj vad mötet kom fram till"),
    ]:
        refused = _post(logged_in_staff, f"/cases/{case_id}/partner-meetings", bad)
        assert refused.status_code == 302
        shown = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
        assert words in shown, words
    with session_factory() as session:
        assert len(session.scalars(select(PartnerMeeting)).all()) == 1


def test_an_outcome_check_falls_due_on_the_queue_and_is_recorded_after_closing(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _case(client, logged_in_staff, session_factory)
    with transaction(session_factory) as session:
        case = session.get(Case, case_id)
        case.status, case.closed_on, case.close_reason = "closed", date(2026, 11, 24), "moved"
    assert "reminders" not in logged_in_staff.get("/queue").get_data(as_text=True)

    time_machine.move_to("2027-05-25T10:00:00+02:00", tick=True)
    assert log_in(logged_in_staff, team).status_code == 302
    queue = logged_in_staff.get("/queue").get_data(as_text=True)
    line = re.search(r'<ul class="plain reminders"[^>]*>(.*?)</ul>', queue, re.S)
    assert line is not None
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line.group(1))).strip() == (
        "1 uppföljning 6 månader efter avslut ska göras"
    )
    assert 'href="/followups"' in line.group(1)
    listed = logged_in_staff.get("/followups").get_data(as_text=True)
    assert f"/cases/{case_id}#outcome-checks" in listed
    assert "070" not in listed

    answers = {
        "months": "6",
        "checked_on": "2027-05-25",
        "left_group": "yes",
        "no_new_sanction": "yes",
        "housing": "unknown",
        "work_or_studies": "no",
    }
    for bad, words in [
        ({**answers, "checked_on": "2026-11-20"}, "före personens första kontakt"),
        ({**answers, "checked_on": "2027-05-26"}, "kan inte vara i framtiden"),
        ({**answers, "housing": ""}, "Svara på varje fråga"),
        ({**answers, "months": "9"}, "Välj 6, 12 eller 24 månader"),
    ]:
        _post(logged_in_staff, f"/cases/{case_id}/outcome-checks", bad)
        assert words in logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True), words
    with session_factory() as session:
        assert session.scalars(select(OutcomeCheck)).all() == []

    assert _post(logged_in_staff, f"/cases/{case_id}/outcome-checks", answers).status_code == 302
    with session_factory() as session:
        check = session.scalars(select(OutcomeCheck)).one()
        assert (check.months, check.left_group, check.housing) == (6, "yes", "unknown")
        assert "case_outcome_checked" in session.scalars(select(AuditEvent.action)).all()
    assert "reminders" not in logged_in_staff.get("/queue").get_data(as_text=True)
    assert "Ingen uppföljning ska göras" in logged_in_staff.get("/followups").get_data(as_text=True)
