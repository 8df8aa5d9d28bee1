"""The audit trail for supervision: by member and period, in Swedish, and an
export of exactly what is shown that is itself audited."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, add_member, csrf_token_from, log_in, post_form

from utvag.store.models import AuditEvent, StaffMember

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _bo_looks_at_a_contact(
    client: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> int:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    bo = console_app.test_client()
    log_in(bo, add_member(session_factory, team, "bo", "coordinator"))
    bo.get("/contacts/1")
    token = csrf_token_from(bo.get("/queue").get_data(as_text=True))
    bo.post("/contacts/1/claim", data={"csrf_token": token})
    bo.post("/contacts/1/attempts", data={"csrf_token": token, "outcome": "no_answer"})
    with session_factory() as session:
        return session.scalars(select(StaffMember.id).where(StaffMember.username == "bo")).one()


def test_the_trail_filters_by_member_and_period_and_speaks_swedish(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    bo = _bo_looks_at_a_contact(client, console_app, team, session_factory)

    page = logged_in_staff.get(f"/audit?member={bo}&from=2026-11-24&to=2026-11-24")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<td>bo</td>" in html
    assert "<td>anna</td>" not in html
    assert "Inget svar" in html
    for english in ("no_answer", "call_outcome", "outcome:", "contact_opened"):
        assert english not in html
    before = logged_in_staff.get(f"/audit?member={bo}&to=2026-11-23").get_data(as_text=True)
    assert "<td>bo</td>" not in before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-11-25&to=2026-11-01", "Den första dagen är efter den sista"),
        ("from=24/11/2026", "Skriv dagarna som år-månad-dag"),
    ],
)
def test_a_period_that_cannot_be_read_is_said_in_swedish_not_guessed(
    logged_in_staff: FlaskClient, query: str, message: str
) -> None:
    page = logged_in_staff.get(f"/audit?{query}")
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    export = logged_in_staff.get(f"/audit.csv?{query}")
    assert export.status_code == 400
    assert message in export.get_data(as_text=True)


def test_the_export_is_what_is_shown_and_is_itself_audited(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    bo = _bo_looks_at_a_contact(client, console_app, team, session_factory)

    export = logged_in_staff.get(f"/audit.csv?member={bo}")

    text = export.get_data(as_text=True)
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert text.startswith("\ufefftid;vem;vad;kontakt;detaljer\r\n")
    rows = text.splitlines()[1:]
    assert rows
    assert all(";bo;" in row for row in rows)
    with session_factory() as session:
        shown = session.scalars(select(AuditEvent).where(AuditEvent.actor_id == bo)).all()
        exports = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(rows) == len(shown)
    assert [event.details for event in exports] == [{"what": "audit", "count": len(rows)}]
    assert exports[0].actor_name == "anna"


def test_a_coordinator_cannot_read_the_trail(
    client: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    bo = console_app.test_client()
    log_in(bo, add_member(session_factory, team, "bo", "coordinator"))
    for path in ("/audit", "/audit.csv", "/reports/followup", "/reports/followup.csv"):
        assert bo.get(path).status_code == 403
