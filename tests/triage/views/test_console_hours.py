"""The lead manages the team's closures and extra open days in the console;
bad input is refused with a Swedish reason and nothing is stored."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, csrf_token_from, log_in, post_form

from utvag.store.models import AuditEvent, ClosedDay, ExtraOpenDay

# Tuesday 24 November 2026, 10:00 in Stockholm.
pytestmark = pytest.mark.usefixtures("during_office_hours")


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/team").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _counts(session_factory) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return (
            int(session.scalar(select(func.count()).select_from(ClosedDay)) or 0),
            int(session.scalar(select(func.count()).select_from(ExtraOpenDay)) or 0),
        )


def test_a_closure_over_days_with_its_reason_is_listed_audited_and_removable(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    _post(
        logged_in_staff,
        "/team/closed-days",
        {"day": "2026-11-26", "last_day": "2026-11-27", "reason": "personalbrist", "note": "kurs"},
    )
    page = logged_in_staff.get("/team").get_data(as_text=True)
    assert "Stängningen är tillagd." in page
    assert "2026-11-26</time>–<time" in page
    assert "(personalbrist) kurs" in page
    with session_factory() as session:
        closure = session.scalars(select(ClosedDay)).one()
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings_changed")
        ).all()
    assert audited[-1].details == {
        "closed_day": "2026-11-26",
        "closed_until": "2026-11-27",
        "reason": "personalbrist",
    }
    _post(logged_in_staff, f"/team/closed-days/{closure.id}/delete", {})
    assert _counts(session_factory) == (0, 0)


@pytest.mark.parametrize(
    ("path", "data", "reason"),
    [
        (
            "/team/closed-days",
            {"day": "2026-11-23", "reason": "annat"},
            "En stängning kan inte börja på en dag som redan har varit.",
        ),
        (
            "/team/closed-days",
            {"day": "2026-11-30", "last_day": "2026-11-26", "reason": "annat"},
            "Den sista stängda dagen måste vara samma dag som den första eller senare.",
        ),
        (
            "/team/closed-days",
            {"day": "2026-11-25", "last_day": "2026-11-26", "reason": "utbildningsdag"},
            "Stängningen överlappar en annan stängning.",
        ),
        (
            "/team/open-days",
            {"day": "2026-11-26", "opens": "10:00", "closes": "14:00"},
            "Teamet har stängt den dagen.",
        ),
        (
            "/team/open-days",
            {"day": "2026-11-28", "opens": "14:00", "closes": "10:00"},
            "Tiden måste sluta efter att den börjar",
        ),
        (
            "/team/open-days",
            {"day": "2026-11-28", "opens": "tio", "closes": "14:00"},
            "Skriv tiderna som timmar och minuter",
        ),
    ],
)
def test_bad_hours_exceptions_are_refused_in_swedish_and_nothing_is_stored(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    path: str,
    data: dict[str, str],
    reason: str,
) -> None:
    _post(logged_in_staff, "/team/closed-days", {"day": "2026-11-26", "reason": "annat"})
    response = _post(logged_in_staff, path, data)
    assert response.status_code == 302
    assert reason in logged_in_staff.get("/team").get_data(as_text=True)
    assert _counts(session_factory) == (1, 0)


def test_an_extra_open_saturday_is_where_the_queue_puts_a_friday_evening_request(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    _post(
        logged_in_staff,
        "/team/open-days",
        {"day": "2026-11-28", "opens": "10:00", "closes": "14:00"},
    )
    page = logged_in_staff.get("/team").get_data(as_text=True)
    assert '2026-11-28</time> <span dir="ltr">10:00–14:00</span>' in page
    time_machine.move_to("2026-11-27T17:00:00+01:00", tick=True)
    post_form(client, "/sv/callback", {"phone": "0701234567"})
    log_in(logged_in_staff, team)
    html = logged_in_staff.get("/queue").get_data(as_text=True)
    assert 'datetime="2026-11-28T10:00:00+01:00"' in html
    with session_factory() as session:
        extra = session.scalars(select(ExtraOpenDay)).one()
        audited = session.scalars(select(AuditEvent.details)).all()
    assert {"extra_open_day": "2026-11-28", "from": "10:00", "to": "14:00"} in audited
    _post(logged_in_staff, f"/team/open-days/{extra.id}/delete", {})
    assert _counts(session_factory) == (0, 0)
