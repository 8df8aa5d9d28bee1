"""The staff notices in the console: each member turns them on (to a mobile)
and off for themselves; the lead sets the team's notice times."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support import TeamFixture, csrf_token_from

from utvag.store.models import AuditEvent, StaffMember, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")
Factory = sessionmaker[Session]


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/account/notices").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _notice_phone(session_factory: Factory, team: TeamFixture) -> str | None:
    with session_factory() as session:
        return session.get(StaffMember, team.created.admin.id).notice_phone


def test_a_member_turns_notices_on_and_off_themselves_and_the_number_is_not_audited(
    logged_in_staff: FlaskClient, session_factory: Factory, team: TeamFixture
) -> None:
    page = logged_in_staff.get("/account/notices").get_data(as_text=True)
    assert "Det finns ärenden att titta på i Utväg" in page
    assert "öppning, 12:00" in page
    _post(logged_in_staff, "/account/notices", {"action": "on", "phone": "070-123 45 99"})
    assert _notice_phone(session_factory, team) == "+46701234599"
    page = logged_in_staff.get("/account/notices").get_data(as_text=True)
    assert "Påminnelserna är påslagna." in page
    assert "070-123 45 99" in page

    _post(logged_in_staff, "/account/notices", {"action": "off"})
    assert _notice_phone(session_factory, team) is None
    with session_factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("notices_%")).order_by(AuditEvent.id)
        ).all()
    assert [event.action for event in events] == ["notices_turned_on", "notices_turned_off"]
    assert all("4599" not in str(event.details) for event in events)


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("08-123 456 78", "Påminnelserna är sms: ange ett mobilnummer."),
        ("0900-123 45 67", "Den sortens nummer ringer vi inte"),
        ("hej", "Telefonnumret ser inte rätt ut."),
    ],
)
def test_a_number_that_takes_no_sms_is_refused_and_nothing_is_stored(
    logged_in_staff: FlaskClient,
    session_factory: Factory,
    team: TeamFixture,
    phone: str,
    reason: str,
) -> None:
    _post(logged_in_staff, "/account/notices", {"action": "on", "phone": phone})
    page = logged_in_staff.get("/account/notices").get_data(as_text=True)
    assert 'class="error-summary"' in page
    assert reason in page
    assert "Påminnelserna är påslagna." not in page
    assert _notice_phone(session_factory, team) is None


def test_the_lead_sets_the_notice_times_and_bad_ones_are_refused_in_swedish(
    logged_in_staff: FlaskClient, session_factory: Factory
) -> None:
    _post(logged_in_staff, "/team/notices", {"notice_times": "Öppning,12.00, 15:30"})
    with session_factory() as session:
        assert session.scalars(select(Team.notice_times)).one() == "öppning, 12:00, 15:30"
    _post(logged_in_staff, "/team/notices", {"notice_times": "öppning, 25:00"})
    page = logged_in_staff.get("/team").get_data(as_text=True)
    assert "Tiderna för påminnelser kunde inte läsas. Skriv " in page
    with session_factory() as session:
        assert session.scalars(select(Team.notice_times)).one() == "öppning, 12:00, 15:30"
    _post(logged_in_staff, "/team/notices", {"notice_times": ""})
    with session_factory() as session:
        assert session.scalars(select(Team.notice_times)).one() == ""
