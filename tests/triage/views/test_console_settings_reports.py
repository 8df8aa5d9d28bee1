"""Team settings and the call log, for the programme lead."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, log_in, post_form

from utvag.store.models import AuditEvent, ChecklistItem, ClosedDay, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/team").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def test_a_closed_day_moves_due_times(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    _post(
        logged_in_staff,
        "/team/closed-days",
        {"day": "2026-11-25", "reason": "utbildningsdag", "note": "Studiedag"},
    )
    with session_factory() as session:
        assert [d.day.isoformat() for d in session.scalars(select(ClosedDay))] == ["2026-11-25"]

    refused = post_form(
        client, "/sv/callback", {"phone": "0701234567", "window": "day", "day": "2026-11-25"}
    )
    assert refused.status_code == 400
    assert "Vi har stängt den dagen" in refused.get_data(as_text=True)

    time_machine.move_to("2026-11-24T17:00:00+01:00", tick=True)
    post_form(client, "/sv/callback", {"phone": "0701234567"})
    log_in(logged_in_staff, team)
    html = logged_in_staff.get("/queue").get_data(as_text=True)
    assert 'datetime="2026-11-26T08:00:00+01:00"' in html


def test_hours_and_call_attempts_are_changed(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _post(
        logged_in_staff, "/team/hours", {"hours": "mon-fri 09:00-15:00", "max_call_attempts": "4"}
    )
    with session_factory() as session:
        team = session.scalars(select(Team)).one()
    assert (team.hours_spec, team.max_call_attempts) == ("mon-fri 09:00-15:00", 4)


@pytest.mark.parametrize(
    ("hours", "attempts", "message"),
    [
        ("fri-mon 08:00-16:00", "3", "Tiderna kunde inte läsas"),
        ("mon-fri 08:00-16:00", "x", "heltal"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(
    logged_in_staff: FlaskClient,
    session_factory,
    hours: str,
    attempts: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    _post(logged_in_staff, "/team/hours", {"hours": hours, "max_call_attempts": attempts})
    assert message in logged_in_staff.get("/team").get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(Team)).one().hours_spec == "mon-fri 08:00-16:00"


def test_the_checklist_is_team_data(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _post(logged_in_staff, "/team/checklist", {"label": "Har en plan för boende"})
    with session_factory() as session:
        items = session.scalars(select(ChecklistItem).order_by(ChecklistItem.position)).all()
    assert items[-1].label == "Har en plan för boende"
    _post(logged_in_staff, f"/team/checklist/{items[0].id}/active", {"active": "0"})
    with session_factory() as session:
        assert session.get(ChecklistItem, items[0].id).active is False


def test_the_call_log_lists_every_attempt_and_exports_without_content(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/callback", {"phone": "0701234567", "note": "hemligt"})
    token = csrf_token_from(logged_in_staff.get("/queue").get_data(as_text=True))
    logged_in_staff.post("/contacts/1/claim", data={"csrf_token": token})
    logged_in_staff.post(
        "/contacts/1/attempts", data={"csrf_token": token, "outcome": "busy", "note": "hemligt"}
    )

    page = logged_in_staff.get("/reports/calls").get_data(as_text=True)
    csv_response = logged_in_staff.get("/reports/calls.csv?from=2026-01-01&to=2026-12-31")

    assert "Upptaget" in page
    assert "anna" in page
    body = csv_response.get_data(as_text=True)
    assert csv_response.mimetype == "text/csv"
    assert body.splitlines()[0] == "\ufefftid;kontakt;vem;utfall;ringer_igen;av"
    assert ";1;vill lämna;Upptaget;" in body
    assert "hemligt" not in body
    assert "0701234567" not in body
    with session_factory() as session:
        assert "export" in session.scalars(select(AuditEvent.action)).all()
