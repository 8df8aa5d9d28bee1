"""Linköping's path in the console (issue 21: "each programme preset (all
four seeds) shows its own path"): a team made from the ``linkoping`` preset,
beside Vägvalet on the same install, takes a contact from its own public
path; the contact becomes a case judged on Linköping's criteria; the lead
accepts it without a social-services decision (the policy names none), and
the mapping's due day must fall inside the preset's window."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, log_in, post_form

from utvag.console_keys import ConsoleKeys
from utvag.repo.checklists import CLOCKS, PRESETS
from utvag.store.models import AuditEvent, Case, Contact, Investigation, PublicListing, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")

TODAY = date(2026, 11, 24)  # the during_office_hours Tuesday


def _create_linkoping(session_factory, keys: ConsoleKeys) -> TeamFixture:  # type: ignore[no-untyped-def]
    """Linköping with its admin lina, as `utvag team create linkoping
    --checklist linkoping` makes it, reachable by its direct link."""
    from crypto.kdf import TEST_COST
    from utvag.repo.team_setup import create_team
    from utvag.store.db import transaction

    password = "linkopings long test password"
    with transaction(session_factory) as session:
        created = create_team(
            session,
            slug="linkoping",
            name="Linköping",
            admin_username="lina",
            admin_password=password,
            hours_spec="mon-fri 08:00-16:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=keys,
            checklist_preset="linkoping",
        )
        created.team.public_listing = PublicListing.DIRECT.value
    return TeamFixture(created=created, password=password, keys=keys)


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _status(session_factory, case_id: int) -> str:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.get(Case, case_id).status


def test_linkopings_path_from_contact_to_the_leads_acceptance_inside_the_window(
    client: FlaskClient,
    console_app: Flask,
    team: TeamFixture,  # Vägvalet, the other programme on the install
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    linkoping = _create_linkoping(session_factory, team.keys)
    lead = console_app.test_client()
    assert log_in(lead, linkoping).status_code == 302

    # A person reaches Linköping by its own path.
    sent = post_form(client, "/sv/linkoping/callback", {"phone": "070-123 45 67"})
    assert sent.status_code in (200, 302), sent.status_code
    with session_factory() as session:
        contact = session.scalars(select(Contact)).one()
        assert contact.team_id == linkoping.created.team.id
        contact_id = contact.id

    _post(lead, f"/contacts/{contact_id}/claim")
    _post(lead, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    _post(lead, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        case_id = session.scalars(select(Case.id).where(Case.contact_id == contact_id)).one()
        the_team = session.get(Team, linkoping.created.team.id)
        assert the_team.decision_needs_decider is False

    # Judged on Linköping's own criteria, not Vägvalet's.
    page = lead.get(f"/cases/{case_id}").get_data(as_text=True)
    for criterion in PRESETS["linkoping"]:
        assert criterion.label in page
    for criterion in PRESETS["vagvalet"]:
        assert criterion.label not in page
    items = sorted(set(re.findall(r'name="check-(\d+)"', page)))
    assert len(items) == len(PRESETS["linkoping"])
    _post(lead, f"/cases/{case_id}", {f"check-{item}": "met" for item in items})

    clocks = CLOCKS["linkoping"]
    earliest = TODAY + timedelta(days=clocks.mapping_min_days)
    latest = TODAY + timedelta(days=clocks.mapping_max_days)
    page = lead.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"mellan {earliest.isoformat()} och {latest.isoformat()}" in page

    def accept(due: date):  # type: ignore[no-untyped-def]
        return _post(
            lead,
            f"/cases/{case_id}/accept",
            {
                "contact_person": str(linkoping.created.admin.id),
                "mapping_due_on": due.isoformat(),
                "confirm": "yes",
            },
        )

    # Outside the window on either side: refused, nothing changes.
    for outside in (earliest - timedelta(days=1), latest + timedelta(days=1)):
        accept(outside)
        assert _status(session_factory, case_id) == "pending"
        assert "utanför den" in lead.get(f"/cases/{case_id}").get_data(as_text=True)

    # Inside it, the lead's acceptance is enough: no investigation, no decider.
    accept(latest)
    assert _status(session_factory, case_id) == "accepted"
    with session_factory() as session:
        assert session.scalar(select(Investigation).where(Investigation.case_id == case_id)) is None
        decided = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case_decided")
        ).one()
        assert decided.team_id == linkoping.created.team.id
        assert session.get(Case, case_id).mapping_due_on == latest
