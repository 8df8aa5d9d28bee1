"""A team's own hotline number, set by its lead in the team settings: one
Twilio number, one team; bad input refused in Swedish with nothing saved."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, create_malmo, csrf_token_from
from twilio_fake import HOTLINE, NEUTRAL, FakeTwilio, with_hotline

from utvag.config import Config
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Team

FORM = {"hours": "mon-fri 08:00-16:00", "max_call_attempts": "3", "retention_days": "180"}


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    return with_hotline(config, twilio_api)


def _save(client: FlaskClient, number: str, **changes: str) -> str:
    token = csrf_token_from(client.get("/team").get_data(as_text=True))
    data = {"csrf_token": token, **FORM, "hotline_number": number, **changes}
    response = client.post("/team/hours", data=data, follow_redirects=True)
    return str(response.get_data(as_text=True))


def _numbers(session_factory) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return {team.slug: team.hotline_number for team in session.scalars(select(Team))}


def test_the_lead_sets_the_teams_own_number_in_e164_and_it_is_audited(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    page = _save(logged_in_staff, "010-111 00 01")
    assert "Sparat" in page
    assert 'value="+46101110001"' in page
    assert _numbers(session_factory) == {"vagvalet": "+46101110001"}
    with session_factory() as session:
        details = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "settings_changed")
        ).all()
    assert details[-1]["hotline_number"] == "+46101110001"

    _save(logged_in_staff, "")
    assert _numbers(session_factory) == {"vagvalet": None}


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("hem", "Telefonlinjens nummer måste vara ett telefonnummer"),
        ("+4610111", "Telefonlinjens nummer måste vara ett telefonnummer"),
        ("+46101110002", "Numret är redan ett annat teams telefonlinje"),  # Malmö's
        (HOTLINE, "Numret är redan ett annat teams telefonlinje"),  # the install's
        (NEUTRAL, "Numret är redan ett annat teams telefonlinje"),  # the neutral one
    ],
    ids=["words", "too-short", "another-teams", "install-wide", "neutral"],
)
def test_a_bad_or_taken_number_is_refused_and_nothing_of_the_form_is_saved(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    console_keys,  # type: ignore[no-untyped-def]
    session_factory,  # type: ignore[no-untyped-def]
    number: str,
    message: str,
) -> None:
    create_malmo(session_factory, console_keys)
    with transaction(session_factory) as session:
        session.scalars(
            select(Team).where(Team.slug == "malmo")
        ).one().hotline_number = "+46101110002"

    page = _save(logged_in_staff, number, retention_days="365")

    assert message in page
    assert _numbers(session_factory) == {"vagvalet": None, "malmo": "+46101110002"}
    with session_factory() as session:
        vagvalet = session.scalars(select(Team).where(Team.slug == "vagvalet")).one()
        assert vagvalet.retention_days == 180  # one transaction: nothing half-way
        assert "settings_changed" not in session.scalars(select(AuditEvent.action)).all()
