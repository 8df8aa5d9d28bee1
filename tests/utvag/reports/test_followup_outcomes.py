"""The yearly report's follow-up after the case and process times: what
became of people 6, 12 and 24 months after closing, and how long the way
from the first contact took, by channel; suppressed like every figure, and
the same after a retention purge."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture

from utvag.calendar.due import CallbackWindow
from utvag.repo.contacts import SealedSubmission, create_contact
from utvag.repo.retention import purge_expired
from utvag.reports.followup import (
    COMPLEMENTS,
    DERIVED,
    PARTITIONS,
    Report,
    _suppress,
    build,
    outcome_key,
    to_csv,
)
from utvag.store.db import transaction
from utvag.store.models import (
    CallAttempt,
    Case,
    Contact,
    OutcomeCheck,
    PartnerMeeting,
    Team,
)

TODAY = date(2026, 11, 24)
MARCH = datetime.fromisoformat("2026-03-10T09:00:00+01:00")
# The figures this feature added: what must survive a purge unchanged.
NEW_FIGURES = re.compile(
    r"^(outcome_|median_hours_|median_days_|first_call_via|cases_decided|cases_closed_via)"
)


def _raw(**values: float | None) -> dict[str, float | None]:
    keys = set(DERIVED) | {base for base, _ in DERIVED.values()} | set(PARTITIONS)
    keys |= {"contacts_received", "contacts_reached"}
    for partitions in PARTITIONS.values():
        for parts in partitions:
            keys |= set(parts)
    raw: dict[str, float | None] = dict.fromkeys(keys, 0)
    raw.update(values)
    return raw


def test_a_yes_one_short_of_its_total_is_hidden_and_the_rest_is_never_shown() -> None:
    left, rest = outcome_key(12, "left_group"), outcome_key(12, "left_group", "not_yes")
    cells = _suppress(_raw(outcome_checks_12m=6, **{left: 5, rest: 1}))
    # 6 checked and 5 left the group would say that one did not.
    assert cells[left].text() == "<5"
    assert cells["outcome_checks_12m"].text() == "6"
    shown = _suppress(_raw(outcome_checks_12m=12, **{left: 7, rest: 5}))
    assert shown[left].text() == "7"
    assert rest in COMPLEMENTS


def test_a_median_by_channel_on_fewer_than_five_is_not_shown() -> None:
    cells = _suppress(
        _raw(
            contacts_with_a_call=15,
            first_call_via_web=10,
            first_call_via_phone=3,
            first_call_via_other=2,
            median_hours_to_first_call=3.0,
            median_hours_to_first_call_web=2.0,
            median_hours_to_first_call_phone=30.0,
        )
    )
    assert cells["median_hours_to_first_call_web"].text() == "2"
    assert cells["median_hours_to_first_call_phone"].text() == "–"
    assert cells["first_call_via_phone"].text() == "<5"
    assert cells["first_call_via_web"].text() == "10"
    # With "other" at zero, web beside the total would give phone away.
    lone = _suppress(_raw(contacts_with_a_call=9, first_call_via_web=6, first_call_via_phone=3))
    assert lone["first_call_via_web"].text() == "<5"
    assert lone["median_hours_to_first_call_web"].text() == "–"


def _contact(session_factory, team: TeamFixture, at: datetime, channel: str) -> int:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session,
            session.get(Team, team.created.team.id),
            SealedSubmission(
                kind="defector",
                channel=channel,
                wants_callback=True,
                callback_window=CallbackWindow.ASAP,
                key_id="k" * 16,
                sealed_content=b"sealed words",
                receipt_digest=secrets.token_hex(32),
                reply_public_key=b"r" * 32,
            ),
            now=at,
        )
        return contact.id


def _a_year_after_the_cases(session_factory, team: TeamFixture) -> None:  # type: ignore[no-untyped-def]
    """Six web and six phone contacts in March; web called after 2 hours,
    phone after 5; each a case decided after 1 (web) or 3 (phone) days and
    closed on 1 September, a partner meeting noted on each, and each one's
    6-month outcome check recorded in 2026 (the report does not judge when)."""
    team_id = team.created.team.id
    for number in range(12):
        channel = "web" if number < 6 else "phone"
        came = MARCH + timedelta(days=number)
        contact_id = _contact(session_factory, team, came, channel)
        with transaction(session_factory) as session:
            session.get(Contact, contact_id).status = "case_opened"
            session.add(
                CallAttempt(
                    contact_id=contact_id,
                    team_id=team_id,
                    outcome="reached",
                    at=came + timedelta(hours=2 if channel == "web" else 5),
                )
            )
            case = Case(
                team_id=team_id,
                contact_id=contact_id,
                opened_at=came + timedelta(hours=6),
                status="closed",
                decided_at=came + timedelta(days=1 if channel == "web" else 3),
                close_reason="established",
                closed_on=date(2026, 9, 1),
                ended_at=datetime.fromisoformat("2026-09-01T12:00:00+02:00"),
            )
            session.add(case)
            session.flush()
            session.add(
                PartnerMeeting(
                    case_id=case.id,
                    held_on=date(2026, 4, 1),
                    roles=["police", "social_services"],
                    outcome="plan_continues",
                    sealed_notes=b"US sealed notes",
                )
            )
            session.add(
                OutcomeCheck(
                    case_id=case.id,
                    months=6,
                    checked_on=date(2026, 11, 2),
                    left_group="yes" if number < 6 else "no",
                    no_new_sanction="yes" if number < 7 else "unknown",
                    housing="yes",
                    work_or_studies="no" if number < 11 else "yes",
                )
            )


def _report(session_factory, team: TeamFixture) -> Report:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return build(session, session.get(Team, team.created.team.id), 2026, TODAY)


@pytest.mark.usefixtures("team")
def test_the_report_counts_outcomes_and_process_times_by_channel(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    _a_year_after_the_cases(session_factory, team)
    report = _report(session_factory, team)

    def shown(key: str) -> str:
        return report.cell(key, 2026).text()

    assert shown("outcome_checks_6m") == "12"
    assert shown(outcome_key(6, "left_group")) == "6"
    assert shown(outcome_key(6, "no_new_sanction")) == "7"
    assert shown(outcome_key(6, "housing")) == "12"
    # 1 of 12 works or studies: hidden.
    assert shown(outcome_key(6, "work_or_studies")) == "<5"
    assert shown("outcome_checks_12m") == "0"
    assert shown("median_hours_to_first_call") == "3,5"
    assert shown("median_hours_to_first_call_web") == "2"
    assert shown("median_hours_to_first_call_phone") == "5"
    assert shown("cases_decided") == "12"
    assert shown("cases_decided_via_web") == "6"
    assert shown("median_days_to_decision_web") == "1"
    assert shown("median_days_to_decision_phone") == "3"
    assert shown("median_days_to_decision") == "2"
    # Closed 1 September: 175 to 170 days after contacts of 10 to 15 March
    # (web), 169 to 164 (phone).
    assert shown("median_days_to_close_web") == "172,5"
    assert shown("median_days_to_close_phone") == "166,5"
    assert shown("cases_closed_via_phone") == "6"
    assert not any(key in COMPLEMENTS for key in report.figure_keys())
    assert "not_yes" not in to_csv(report)


@pytest.mark.usefixtures("team")
def test_the_new_figures_are_equal_before_and_after_a_retention_purge(
    session_factory, team
) -> None:  # type: ignore[no-untyped-def]
    _a_year_after_the_cases(session_factory, team)
    before = _report(session_factory, team)
    new = [key for key in before.figure_keys() if NEW_FIGURES.match(key)]
    assert len(new) >= 30
    figures_before = {key: before.cell(key, 2026) for key in new}
    assert sum(1 for cell in figures_before.values() if cell.value) >= 15
    with transaction(session_factory) as session:
        purged = purge_expired(session, datetime.fromisoformat("2027-11-24T10:00:00+01:00"))
    assert purged == 12
    with session_factory() as session:
        assert set(session.scalars(select(PartnerMeeting.sealed_notes))) == {None}
        assert set(session.scalars(select(Contact.sealed_content))) == {b""}
    after = _report(session_factory, team)
    assert {key: after.cell(key, 2026) for key in new} == figures_before
    assert to_csv(after) == to_csv(before)


def test_the_lead_sees_the_new_figures_as_table_charts_and_csv(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    _a_year_after_the_cases(session_factory, team)
    html = logged_in_staff.get("/reports/followup?year=2026").get_data(as_text=True)
    assert "Uppföljningar 6 månader efter avslut" in html
    assert "Median, dagar från kontakt till beslut" in html
    titles = re.findall(r"<title id=\"[^\"]+\">([^<]+)</title>", html)
    assert "Uppföljning 6 månader efter avslut: svarat ja" in titles
    assert "Median, dagar från kontakt till beslut och till avslut" in titles
    assert "<script" not in html
    assert re.search(r"(src|href)=\"https?://", html) is None
    csv = logged_in_staff.get("/reports/followup.csv?year=2026").get_data(as_text=True)
    assert "median_days_to_close_web;2026;172,5" in csv
    assert "outcome_6m_left_group;2026;6" in csv
