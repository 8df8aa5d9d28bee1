"""Avhopparmedel as a step of an accepted case: the lead records the
application and the answer, amounts in whole kronor as staff type them,
the note sealed, bad input refused in Swedish with nothing stored, every
step audited, and the yearly follow-up counts it with small numbers hidden."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, add_member, csrf_token_from, lead_decides, log_in, post_form

from utvag.repo.defector_funds import FundsError, FundsProblem, parse_kronor
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Case, Contact, FundsApplication

pytestmark = pytest.mark.usefixtures("during_office_hours")

TODAY = "2026-11-24"


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _flash(client: FlaskClient, path: str, data: dict[str, str]) -> str:
    response = _post(client, path, data)
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _accepted_case(client: FlaskClient, staff: FlaskClient, session_factory, team) -> int:  # type: ignore[no-untyped-def]
    """Reached, a case, every criterion met, accepted by the lead."""
    lead_decides(session_factory, team)
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    with session_factory() as session:
        contact_id = max(session.scalars(select(Contact.id)))
    _post(staff, f"/contacts/{contact_id}/claim")
    _post(staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    _post(staff, f"/contacts/{contact_id}/case")
    with session_factory() as session:
        case_id = session.scalars(select(Case.id).where(Case.contact_id == contact_id)).one()
    import re

    page = staff.get(f"/cases/{case_id}").get_data(as_text=True)
    checks = {f"check-{item}": "met" for item in set(re.findall(r'name="check-(\d+)"', page))}
    _post(staff, f"/cases/{case_id}", checks)
    me = str(team.created.admin.id)
    _post(
        staff,
        f"/cases/{case_id}/accept",
        {"contact_person": me, "mapping_due_on": "2026-12-22", "confirm": "yes"},
    )
    with session_factory() as session:
        assert session.get(Case, case_id).status == "accepted"
    return case_id


def _applications(session_factory) -> list[FundsApplication]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(FundsApplication).order_by(FundsApplication.id)))


def _actions(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(AuditEvent.action)))


@pytest.mark.parametrize(
    ("typed", "kronor"),
    [
        ("12 000", 12000),
        ("12000 kr", 12000),
        ("12\u00a0000\u00a0kr", 12000),
        ("12 000:-", 12000),
        ("7500 kronor", 7500),
        ("1000000", 1000000),
    ],
)
def test_amounts_are_read_as_staff_type_them(typed: str, kronor: int) -> None:
    assert parse_kronor(typed) == kronor


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("12,5", FundsProblem.AMOUNT_NOT_WHOLE),
        ("12.5", FundsProblem.AMOUNT_NOT_WHOLE),
        ("-3", FundsProblem.AMOUNT_NOT_POSITIVE),
        ("0", FundsProblem.AMOUNT_NOT_POSITIVE),
        ("1000001", FundsProblem.AMOUNT_TOO_LARGE),
        ("tolv tusen", FundsProblem.AMOUNT_UNREADABLE),
        ("12e3", FundsProblem.AMOUNT_UNREADABLE),
        ("", FundsProblem.NO_AMOUNT),
    ],
)
def test_amounts_that_are_not_whole_positive_sane_kronor_are_refused(
    typed: str, problem: FundsProblem
) -> None:
    with pytest.raises(FundsError) as refused:
        parse_kronor(typed)
    assert refused.value.problem is problem


def test_the_lead_records_an_application_and_its_answer_on_the_case(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _accepted_case(client, logged_in_staff, session_factory, team)
    shown = logged_in_staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'action="/cases/{case_id}/funds"' in shown
    note = "Medel-Smultron-19 hyra i ny stad"
    page = _flash(
        logged_in_staff,
        f"/cases/{case_id}/funds",
        {"applied_on": TODAY, "amount": "12 000 kr", "note": note},
    )
    assert "Sparat." in page
    assert "12\u00a0000\u00a0kr" in page
    assert note in page
    (application,) = _applications(session_factory)
    assert application.amount_applied_kr == 12000
    assert application.sealed_note.startswith(b"US")
    assert note.encode() not in application.sealed_note

    # One waiting at a time.
    assert "väntar redan på svar" in _flash(
        logged_in_staff, f"/cases/{case_id}/funds", {"applied_on": TODAY, "amount": "5000"}
    )
    page = _flash(
        logged_in_staff,
        f"/cases/{case_id}/funds/{application.id}/answer",
        {"outcome": "granted", "decided_on": TODAY, "amount": "10 000"},
    )
    assert "Sparat." in page
    (application,) = _applications(session_factory)
    assert (application.outcome, application.amount_granted_kr) == ("granted", 10000)
    assert "10\u00a0000\u00a0kr" in page
    actions = _actions(session_factory)
    assert "case_funds_applied" in actions
    assert "case_funds_answered" in actions
    assert "redan registrerat" in _flash(
        logged_in_staff,
        f"/cases/{case_id}/funds/{application.id}/answer",
        {"outcome": "refused", "decided_on": TODAY},
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"applied_on": TODAY, "amount": "12,5"}, "utan decimaler"),
        ({"applied_on": TODAY, "amount": "-3"}, "mer än 0 kronor"),
        ({"applied_on": TODAY, "amount": "50000000"}, "för stort"),
        ({"applied_on": TODAY, "amount": ""}, "hela kronor"),
        ({"applied_on": "2026-11-25", "amount": "100"}, "framtiden"),
        ({"applied_on": "2026-10-01", "amount": "100"}, "före ärendet öppnades"),
        ({"applied_on": "", "amount": "100"}, "Skriv dagen då ansökan gjordes"),
    ],
)
def test_a_bad_application_is_refused_in_swedish_and_nothing_is_stored(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    form: dict[str, str],
    message: str,
) -> None:
    case_id = _accepted_case(client, logged_in_staff, session_factory, team)
    page = _flash(logged_in_staff, f"/cases/{case_id}/funds", {**form, "note": "x"})
    assert message in page
    assert _applications(session_factory) == []
    assert "case_funds_applied" not in _actions(session_factory)


def test_a_bad_answer_is_refused_and_nothing_is_stored(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _accepted_case(client, logged_in_staff, session_factory, team)
    with transaction(session_factory) as session:
        applied = FundsApplication(
            case_id=case_id, applied_on=date(2026, 11, 24), amount_applied_kr=9000
        )
        session.add(applied)
        session.flush()
        application_id = applied.id
    answer = f"/cases/{case_id}/funds/{application_id}/answer"
    for form, message in [
        ({"outcome": "granted", "decided_on": TODAY, "amount": "12,5"}, "utan decimaler"),
        ({"outcome": "granted", "decided_on": TODAY, "amount": ""}, "hela kronor"),
        ({"outcome": "granted", "decided_on": "2026-11-23", "amount": "5"}, "innan ansökan"),
        ({"outcome": "refused", "decided_on": "2026-11-25"}, "framtiden"),
        ({"outcome": "maybe", "decided_on": TODAY}, "Välj svaret"),
    ]:
        assert message in _flash(logged_in_staff, answer, form), form
        (application,) = _applications(session_factory)
        assert application.outcome is None
    assert "case_funds_answered" not in _actions(session_factory)


def test_only_an_accepted_case_and_only_the_lead(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    console_app: Flask,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    case_id = _accepted_case(client, logged_in_staff, session_factory, team)
    coordinator = console_app.test_client()
    log_in(coordinator, add_member(session_factory, team, "bo", "coordinator"))
    form = {"applied_on": TODAY, "amount": "100"}
    assert _post(coordinator, f"/cases/{case_id}/funds", form).status_code == 403
    with transaction(session_factory) as session:
        session.get(Case, case_id).status = "closed"
    assert "bara sökas för en person som är antagen" in _flash(
        logged_in_staff, f"/cases/{case_id}/funds", form
    )
    assert _applications(session_factory) == []


def test_the_yearly_follow_up_counts_funds_and_hides_small_numbers(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.reports.followup import build
    from utvag.store.models import Team

    case_id = _accepted_case(client, logged_in_staff, session_factory, team)
    with transaction(session_factory) as session:
        for number in range(7):
            session.add(
                FundsApplication(
                    case_id=case_id,
                    applied_on=date(2026, 3, 1 + number),
                    amount_applied_kr=10000,
                    outcome="granted" if number < 5 else "refused",
                    decided_on=date(2026, 4, 1 + number),
                    amount_granted_kr=8000 if number < 5 else None,
                )
            )
    with session_factory() as session:
        report = build(session, session.get(Team, team.created.team.id), 2026, date(2026, 11, 24))
    shown = {key: report.cell(key, 2026).text() for key in report.figure_keys()}
    assert shown["funds_applied"] == "7"
    assert shown["funds_granted"] == "5"
    assert shown["funds_refused"] == "<5"
    assert shown["funds_granted_kronor"] == "40000"
    page = logged_in_staff.get("/reports/followup?year=2026").get_data(as_text=True)
    assert "Ansökningar om avhopparmedel" in page

    # Four grants: too few to show, and so is the sum they make.
    with transaction(session_factory) as session:
        last = session.scalars(
            select(FundsApplication).where(FundsApplication.outcome == "granted")
        ).first()
        last.outcome, last.amount_granted_kr = "refused", None
    with session_factory() as session:
        report = build(session, session.get(Team, team.created.team.id), 2026, date(2026, 11, 24))
    assert report.cell("funds_granted", 2026).text() == "<5"
    assert report.cell("funds_granted_kronor", 2026).value is None


def test_every_refusal_of_a_funds_step_reads_in_swedish() -> None:
    from triage.labels.funds import FUNDS_PROBLEM_TEXT

    assert set(FUNDS_PROBLEM_TEXT) == set(FundsProblem)
