"""A member of one team can neither see nor touch another team's things, and
an action that matched nothing writes no audit row.

Walks every console route that takes an id, fills in the id of another
team's object of that kind, and expects a 404 and an unchanged audit trail. A
new route with an id it does not know fails here until it is added.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, csrf_token_from, sealed_submission

from crypto.kdf import TEST_COST
from utvag.clock import utcnow
from utvag.repo.contacts import create_contact
from utvag.repo.team_setup import create_team
from utvag.store.db import transaction
from utvag.store.models import (
    AuditEvent,
    Case,
    CaseConsent,
    ChecklistItem,
    ClosedDay,
    Contact,
    ContactStatus,
    Enrolment,
    ExtraOpenDay,
    FundsApplication,
    StaffMember,
    TeamKey,
    VoiceMessage,
)


@pytest.fixture
def other_team_ids(session_factory, team: TeamFixture) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Malmö's things, one of each kind a console URL can name."""
    with transaction(session_factory) as session:
        malmo = create_team(
            session,
            slug="malmo",
            name="Konsultationsteamet",
            admin_username="mira",
            admin_password="another long password here",
            hours_spec="mon-fri 08:00-16:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=team.keys,
        )
        contact, _ = create_contact(
            session,
            malmo.team,
            sealed_submission(
                wants_callback=True, sealed_content=b"sealed", receipt_digest="e" * 64
            ),
        )
        contact.status = ContactStatus.CASE_OPENED.value
        contact.claimed_by_id = malmo.admin.id
        contact.claim_expires_at = utcnow() + timedelta(minutes=10)
        case = Case(team_id=malmo.team.id, contact_id=contact.id)
        closed = ClosedDay(team_id=malmo.team.id, day=date(2026, 12, 30))
        extra = ExtraOpenDay(
            team_id=malmo.team.id, day=date(2026, 12, 19), opens=time(10), closes=time(14)
        )
        enrolment = Enrolment(
            team_id=malmo.team.id,
            username="nils",
            role="coordinator",
            wrapped_private_key=b"w",
            sealed_team_keys=b"s",
            expires_at=utcnow() + timedelta(days=3),
        )
        session.add_all([case, closed, extra, enrolment])
        session.flush()
        consent = CaseConsent(case_id=case.id, given_on=date(2026, 11, 1), sealed_content=b"s")
        voice = VoiceMessage(
            contact_id=contact.id,
            key_id="k",
            sealed_audio=b"s",
            duration_seconds=1,
            recording_digest="f" * 64,
        )
        funds = FundsApplication(
            case_id=case.id, applied_on=date(2026, 11, 1), amount_applied_kr=10000
        )
        session.add_all([consent, voice, funds])
        session.flush()
        assert malmo.team.id == 2  # VALID_FORM's receiving team
        item = session.scalars(
            select(ChecklistItem).where(ChecklistItem.team_id == malmo.team.id)
        ).first()
        assert item is not None
        return {
            "contact_id": contact.id,
            "case_id": case.id,
            "closed_day_id": closed.id,
            "extra_id": extra.id,
            "item_id": item.id,
            "member_id": malmo.admin.id,
            "enrolment_id": enrolment.id,
            "consent_id": consent.id,
            "message_id": voice.id,
            "application_id": funds.id,
            "team_key_id": session.scalars(
                select(TeamKey.id).where(TeamKey.team_id == malmo.team.id)
            ).one(),
        }


# Form values that are valid for the endpoint, so only the id is wrong.
VALID_FORM = {
    "case_decisions.close": {"reason": "moved", "confirm": "yes"},
    "case_decisions.accept": {"confirm": "yes", "mapping_due_on": "2026-12-01"},
    "case_decisions.decline": {"confirm": "yes"},
    "case_decisions.confirm_criteria": {"confirm": "yes"},
    "case_funds.answer": {"outcome": "refused", "decided_on": "2026-11-20"},
    "cases.add_assessment": {"kind": "threat", "level": "latent", "by": "police"},
    "call_from.change": {"call_from": "hotline", "reason": "asked on the call"},
    "keys.destroy": {"confirm": "yes"},
    # To Malmö (team 2, see the fixture): a team the member may hand over to,
    # so only the contact is wrong.
    "handover.hand_over_contact": {
        "team": "2",
        "consent": "yes",
        "consent_given_on": datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat(),
        "confirm": "yes",
    },
}


def _routes_with_ids(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        # Only ids name another team's rows: a route whose arguments are all
        # words (a public text's place and language) acts on the own team.
        if "<int:" not in rule.rule or rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return found


def _audit_count(session_factory) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_another_teams_ids_get_404_and_no_audit_row(
    logged_in_staff: FlaskClient,
    console_app: Flask,
    other_team_ids: dict[str, int],
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    token = csrf_token_from(logged_in_staff.get("/queue").get_data(as_text=True))
    routes = _routes_with_ids(console_app)
    assert len(routes) >= 10  # the walk found the routes it is meant to check
    form = {
        "csrf_token": token,
        "outcome": "no_answer",
        "status": "closed",
        "active": "1",
        "role": "lead",
        "reply": "hej",
        "note": "x",
        "phone": "0701234567",
    }
    for endpoint, method, path in routes:
        arguments = {name: other_team_ids[name] for name in _argument_names(path)}
        url = path
        for name, value in arguments.items():
            url = url.replace(f"<int:{name}>", str(value))
        before = _audit_count(session_factory)
        data = {**form, **VALID_FORM.get(endpoint, {})} if method == "POST" else None
        response = logged_in_staff.open(url, method=method, data=data)
        assert response.status_code == 404, f"{method} {endpoint} answered {response.status_code}"
        assert _audit_count(session_factory) == before, f"{method} {endpoint} wrote an audit row"

    with session_factory() as session:  # and nothing of Malmö's changed
        contact = session.get(Contact, other_team_ids["contact_id"])
        assert contact is not None
        assert contact.claimed_by_id is not None
        assert session.get(ClosedDay, other_team_ids["closed_day_id"]) is not None
        assert session.get(ExtraOpenDay, other_team_ids["extra_id"]) is not None
        assert session.get(Enrolment, other_team_ids["enrolment_id"]) is not None
        member = session.get(StaffMember, other_team_ids["member_id"])
        assert member is not None
        assert member.role == "admin"


def _argument_names(path: str) -> list[str]:
    import re

    names = re.findall(r"<int:(\w+)>", path)
    assert names, f"{path}: only integer ids are expected in console URLs"
    return names


def test_releasing_a_call_one_does_not_hold_writes_no_audit_row(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    with transaction(session_factory) as session:
        from utvag.store.models import Team

        contact, _ = create_contact(
            session,
            session.get(Team, team.created.team.id),
            sealed_submission(
                wants_callback=True, sealed_content=b"sealed", receipt_digest="f" * 64
            ),
        )
        contact_id = contact.id
    token = csrf_token_from(logged_in_staff.get("/queue").get_data(as_text=True))
    before = _audit_count(session_factory)
    response = logged_in_staff.post(f"/contacts/{contact_id}/release", data={"csrf_token": token})
    assert response.status_code == 302
    assert _audit_count(session_factory) == before
