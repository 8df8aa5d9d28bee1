"""A referral to a service outside the programme, with the person's consent:
how an open contact or a pending case ends where a referral happened; on an
accepted case it is recorded and the case goes on. Without consent nothing is
stored; every referral is audited; the note is sealed; the yearly follow-up
counts referrals by kind with small numbers hidden."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, add_member, csrf_token_from, lead_decides, log_in, post_form

from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Case, Contact, OutsideReferral

pytestmark = pytest.mark.usefixtures("during_office_hours")

TODAY = "2026-11-24"


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _flash(client: FlaskClient, path: str, data: dict[str, str]) -> str:
    response = _post(client, path, data)
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _reached(client: FlaskClient, staff: FlaskClient, session_factory) -> int:  # type: ignore[no-untyped-def]
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    with session_factory() as session:
        contact_id = max(session.scalars(select(Contact.id)))
    _post(staff, f"/contacts/{contact_id}/claim")
    _post(staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    return contact_id


def _case(staff: FlaskClient, contact_id: int, session_factory) -> int:  # type: ignore[no-untyped-def]
    _post(staff, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        return session.scalars(select(Case.id).where(Case.contact_id == contact_id)).one()


def _referrals(session_factory) -> list[OutsideReferral]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(OutsideReferral)))


def _contact_status(session_factory, contact_id: int) -> str:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.get(Contact, contact_id).status


def _case_status(session_factory, case_id: int) -> str:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.get(Case, case_id).status


def _referred_audits(session_factory) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return len(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "referred_out")).all()
        )


REFER = {"kind": "sig", "referred_on": TODAY, "consent": "yes"}


@pytest.fixture
def coordinator(console_app: Flask, team: TeamFixture, session_factory) -> FlaskClient:  # type: ignore[no-untyped-def]
    colleague = console_app.test_client()
    assert log_in(colleague, add_member(session_factory, team, "bo", "coordinator")).status_code
    return colleague


def test_a_reached_contact_ends_referred_out_with_consent_the_note_sealed(
    client: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    contact_id = _reached(client, coordinator, session_factory)
    path = f"/contacts/{contact_id}/refer-out"
    assert f'action="{path}"' in coordinator.get(f"/contacts/{contact_id}").get_data(as_text=True)
    note = "Hänvisning-Vinbär-36 träffar SIG på tisdag"
    asked = _post(coordinator, path, {**REFER, "note": note})
    assert asked.status_code == 200
    assert 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    assert _referrals(session_factory) == []

    page = _flash(coordinator, path, {**REFER, "note": note, "confirm": "yes"})
    assert "Sparat." in page
    assert "social insatsgrupp (SIG)" in page
    assert note in page
    assert _contact_status(session_factory, contact_id) == "referred_out"
    (referral,) = _referrals(session_factory)
    assert (referral.kind, referral.consent, referral.case_id) == ("sig", True, None)
    assert referral.sealed_note.startswith(b"US")
    assert note.encode() not in referral.sealed_note
    assert _referred_audits(session_factory) == 1
    # Closed now: not again.
    assert "redan avslutad" in _flash(coordinator, path, {**REFER, "confirm": "yes"})
    assert len(_referrals(session_factory)) == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({**REFER, "consent": "no"}, "kräver personens samtycke"),
        ({**REFER, "consent": ""}, "kräver personens samtycke"),
        ({**REFER, "kind": "abroad"}, "Välj vart personen hänvisas"),
        ({**REFER, "referred_on": "2026-11-25"}, "framtiden"),
        ({**REFER, "referred_on": "2026-11-23"}, "innan kontakten kom in"),
        ({**REFER, "referred_on": "igår"}, "år-månad-dag"),
    ],
)
def test_a_bad_referral_is_refused_in_swedish_and_nothing_is_stored(
    client: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    form: dict[str, str],
    message: str,
) -> None:
    contact_id = _reached(client, coordinator, session_factory)
    page = _flash(coordinator, f"/contacts/{contact_id}/refer-out", {**form, "confirm": "yes"})
    assert message in page
    assert _referrals(session_factory) == []
    assert _contact_status(session_factory, contact_id) == "reached"
    assert _referred_audits(session_factory) == 0


def test_the_data_layer_refuses_a_referral_without_consent(
    client: FlaskClient,
    coordinator: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.repo.outside_referrals import ReferralError, ReferralProblem, refer_contact
    from utvag.store.models import ReferralKind, StaffMember, Team

    contact_id = _reached(client, coordinator, session_factory)
    with pytest.raises(ReferralError) as refused, transaction(session_factory) as session:
        refer_contact(
            session,
            session.get(Team, team.created.team.id),
            contact_id,
            session.get(StaffMember, team.created.admin.id),
            kind=ReferralKind.VICTIM_SUPPORT,
            referred_on=date(2026, 11, 24),
            consent=False,
            sealed_note=None,
            today=date(2026, 11, 24),
        )
    assert refused.value.problem is ReferralProblem.NO_CONSENT
    assert _referrals(session_factory) == []


def test_a_pending_case_ends_referred_out_only_by_the_lead(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    contact_id = _reached(client, coordinator, session_factory)
    case_id = _case(coordinator, contact_id, session_factory)
    assert "hänvisa personen från ärendet" in _flash(
        coordinator, f"/contacts/{contact_id}/refer-out", {**REFER, "confirm": "yes"}
    )
    path = f"/cases/{case_id}/refer-out"
    # The pending case's form is the lead's; a coordinator is not offered it.
    assert f'action="{path}"' in logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'action="{path}"' not in coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    form = {**REFER, "kind": "home_care", "confirm": "yes"}
    assert "bara verksamhetsledaren" in _flash(coordinator, path, form)
    assert _referrals(session_factory) == []
    assert _case_status(session_factory, case_id) == "pending"

    page = _flash(logged_in_staff, path, form)
    assert "Sparat." in page
    assert _case_status(session_factory, case_id) == "referred_out"
    with session_factory() as session:
        assert session.get(Case, case_id).ended_at is not None
    (referral,) = _referrals(session_factory)
    assert (referral.kind, referral.case_id, referral.contact_id) == (
        "home_care",
        case_id,
        contact_id,
    )
    assert _referred_audits(session_factory) == 1
    assert "har avslutats" in _flash(logged_in_staff, path, form)


def test_an_accepted_case_records_the_referral_and_goes_on(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    lead_decides(session_factory, team)
    contact_id = _reached(client, coordinator, session_factory)
    case_id = _case(coordinator, contact_id, session_factory)
    with transaction(session_factory) as session:
        session.get(Case, case_id).status = "accepted"
    form = {**REFER, "kind": "victim_support", "confirm": "yes"}
    assert "Sparat." in _flash(coordinator, f"/cases/{case_id}/refer-out", form)
    assert _case_status(session_factory, case_id) == "accepted"
    assert [r.kind for r in _referrals(session_factory)] == ["victim_support"]
    assert "brottsofferstöd" in coordinator.get(f"/cases/{case_id}").get_data(as_text=True)


def test_the_yearly_follow_up_counts_referrals_by_kind_and_hides_small_numbers(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    coordinator: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.reports.followup import build, to_text
    from utvag.store.models import Team

    contact_id = _reached(client, coordinator, session_factory)
    with transaction(session_factory) as session:
        for number, kind in enumerate(["sig"] * 6 + ["victim_support"] * 5 + ["other"] * 2):
            session.add(
                OutsideReferral(
                    team_id=team.created.team.id,
                    contact_id=contact_id,
                    kind=kind,
                    referred_on=date(2026, 5, 1 + number),
                )
            )
    with session_factory() as session:
        report = build(session, session.get(Team, team.created.team.id), 2026, date(2026, 11, 24))
    shown = {key: report.cell(key, 2026).text() for key in report.figure_keys()}
    assert shown["referrals_out"] == "13"
    assert shown["referrals_out_other"] == "<5"
    # The lone hidden kind would be given away by the total: the smallest
    # other shown kind is hidden with it.
    assert shown["referrals_out_victim_support"] == "<5"
    assert shown["referrals_out_sig"] == "6"
    assert shown["referrals_out_home_care"] == "0"
    assert "till brottsofferstöd" in to_text(report)
    page = logged_in_staff.get("/reports/followup?year=2026").get_data(as_text=True)
    assert "Hänvisningar till annan verksamhet, per slag" in page
    assert "Hänvisade till annan verksamhet, med samtycke" in page


def test_every_refusal_of_a_referral_reads_in_swedish() -> None:
    from triage.labels.names import CASE_STATUS_NAMES, STATUS_NAMES
    from triage.labels.referrals import REFERRAL_PROBLEM_TEXT
    from utvag.repo.outside_referrals import ReferralProblem

    assert set(REFERRAL_PROBLEM_TEXT) == set(ReferralProblem)
    assert "referred_out" in STATUS_NAMES
    assert "referred_out" in CASE_STATUS_NAMES
