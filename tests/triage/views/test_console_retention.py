"""Retention in the console: the lead sees a week ahead which cases go,
keeps one longer with a sealed reason (audited), and reads what was deleted
without anything that names a person."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, add_member, csrf_token_from, log_in, sealed_submission

from utvag.repo.contacts import create_contact
from utvag.repo.retention import purge_expired
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Case, RetentionExtension, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")

NOW = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def _ended_case(session_factory, team: TeamFixture, ended_days_ago: int) -> int:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session,
            session.get(Team, team.created.team.id),
            sealed_submission(),
            now=NOW - timedelta(days=300),
        )
        contact.status = "case_opened"
        case = Case(
            team_id=contact.team_id,
            contact_id=contact.id,
            opened_at=NOW - timedelta(days=299),
            status="declined",
            decided_at=NOW - timedelta(days=ended_days_ago),
            ended_at=NOW - timedelta(days=ended_days_ago),
        )
        session.add(case)
        session.flush()
        return case.id


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/retention").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_the_lead_keeps_a_case_longer_with_a_sealed_reason_and_it_is_audited(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    soon = _ended_case(session_factory, team, 176)
    _ended_case(session_factory, team, 100)
    queue = logged_in_staff.get("/queue").get_data(as_text=True)
    assert "1 ärende raderas inom en vecka" in queue
    page = logged_in_staff.get("/retention").get_data(as_text=True)
    assert f"/cases/{soon}" in page
    assert "2026-11-28" in page  # ended 176 days ago, retention 180 days

    for data, words in [
        ({"keep_until": "2026-11-24", "reason": "Pågår"}, "Välj en dag efter i dag"),
        ({"keep_until": "2028-01-01", "reason": "Pågår"}, "högst ett år framåt"),
        ({"keep_until": "2026-12-24", "reason": "  "}, "Skriv varför ärendet måste sparas"),
        ({"keep_until": "24 dec", "reason": "Pågår"}, "år-månad-dag"),
    ]:
        refused = _post(logged_in_staff, f"/retention/cases/{soon}/keep", data)
        assert refused.status_code == 302
        assert words in logged_in_staff.get("/retention").get_data(as_text=True), words
    with session_factory() as session:
        assert session.scalars(select(RetentionExtension)).all() == []

    reason = "Väntar på socialtjänstens utredning-Tranbär-31"
    kept = _post(
        logged_in_staff,
        f"/retention/cases/{soon}/keep",
        {"keep_until": "2026-12-24", "reason": reason},
    )
    assert kept.status_code == 302
    with session_factory() as session:
        extension = session.scalars(select(RetentionExtension)).one()
        assert extension.sealed_reason.startswith(b"US")
        assert "Tranbär".encode() not in extension.sealed_reason
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "retention_extended")
        ).one()
        assert event.details == {"case": soon, "to": "2026-12-24"}
    page = logged_in_staff.get("/retention").get_data(as_text=True)
    assert "Inget ärende raderas inom 7 dagar" in page
    assert "reminders-retention" not in logged_in_staff.get("/queue").get_data(as_text=True)


def test_the_record_of_what_was_deleted_names_no_one(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    gone = _ended_case(session_factory, team, 200)
    with transaction(session_factory) as session:
        assert purge_expired(session) == 1
    page = logged_in_staff.get("/retention").get_data(as_text=True)
    assert "ärendet avslutades för längre sedan än gallringstiden" in page
    assert f"/cases/{gone}" not in page


def test_a_coordinator_cannot_keep_a_case_longer(
    console_app: Flask,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    case_id = _ended_case(session_factory, team, 176)
    coordinator = console_app.test_client()
    assert (
        log_in(coordinator, add_member(session_factory, team, "bo", "coordinator")).status_code
        == 302
    )
    assert coordinator.get("/retention").status_code == 403
    token = csrf_token_from(coordinator.get("/queue").get_data(as_text=True))
    refused = coordinator.post(
        f"/retention/cases/{case_id}/keep",
        data={"csrf_token": token, "keep_until": "2026-12-24", "reason": "x"},
    )
    assert refused.status_code == 403
    assert "raderas inom en vecka" not in coordinator.get("/queue").get_data(as_text=True)
