"""The yearly follow-up for the board: figures from clear fields only, the
year before beside them, and no count small enough to single anyone out."""

from __future__ import annotations

import os
import secrets
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from support import TeamFixture
from utvag_cli_support import UTVAG

from utvag.calendar.due import CallbackWindow
from utvag.repo.contacts import SealedSubmission, create_contact
from utvag.repo.retention import purge_expired
from utvag.reports.followup import (
    PARTITIONS,
    NoSuchYear,
    _suppress,
    build,
    check_year,
    to_csv,
    to_text,
)
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, CallAttempt, Case, Contact, RegisterCheck, Team

TODAY = date(2026, 11, 24)


def _raw(**values: float | None) -> dict[str, float | None]:
    """Every figure zero but those given."""
    keys = {"contacts_received", "cases_closed", "reached_percent", "contacts_reached"}
    keys |= {"contacts_with_a_call", "median_office_hours_to_first_call"}
    for partitions in PARTITIONS.values():
        for parts in partitions:
            keys |= set(parts)
    raw: dict[str, float | None] = dict.fromkeys(keys, 0)
    raw.update(values)
    return raw


def test_counts_from_one_to_four_are_shown_as_under_five_and_zero_and_five_as_they_are() -> None:
    cells = _suppress(
        _raw(contacts_received=20, cases_closed=0, contacts_reached=4, contacts_with_a_call=5)
    )
    assert cells["contacts_reached"].text() == "<5"
    assert cells["contacts_with_a_call"].text() == "5"
    assert cells["cases_closed"].text() == "0"
    assert cells["contacts_received"].text() == "20"


def test_a_percentage_or_median_built_on_a_hidden_count_is_not_shown() -> None:
    cells = _suppress(
        _raw(
            contacts_received=20,
            contacts_reached=3,
            reached_percent=15.0,
            contacts_with_a_call=4,
            median_office_hours_to_first_call=2.5,
        )
    )
    assert cells["reached_percent"].text() == "–"
    assert cells["median_office_hours_to_first_call"].text() == "–"
    shown = _suppress(
        _raw(
            contacts_received=20,
            contacts_reached=10,
            reached_percent=50.0,
            contacts_with_a_call=10,
            median_office_hours_to_first_call=2.5,
        )
    )
    assert shown["reached_percent"].text() == "50"
    assert shown["median_office_hours_to_first_call"].text() == "2,5"


def test_a_lone_hidden_part_of_a_shown_total_takes_the_smallest_other_part_with_it() -> None:
    raw = _raw(
        contacts_received=30,
        contacts_received_defector=27,
        contacts_received_relative=3,
        contacts_by_channel_web=20,
        contacts_by_channel_phone=8,
        contacts_by_channel_walk_in=2,
        contacts_in_month_01=30,
    )
    cells = _suppress(raw)
    # Kinds: relatives hidden, so 30 - 27 would give them away: defectors hide too.
    assert cells["contacts_received_relative"].text() == "<5"
    assert cells["contacts_received_defector"].text() == "<5"
    # Channels: walk-ins hidden, and the smallest other shown part (phone) with them.
    assert cells["contacts_by_channel_walk_in"].text() == "<5"
    assert cells["contacts_by_channel_phone"].text() == "<5"
    assert cells["contacts_by_channel_web"].text() == "20"
    # No hidden part in the months: nothing extra hidden.
    assert cells["contacts_in_month_01"].text() == "30"
    # Whatever is shown, no hidden part can be worked out from the total.
    for partitions in PARTITIONS.values():
        for parts in partitions:
            hidden = [part for part in parts if cells[part].suppressed]
            assert len(hidden) != 1


def test_two_hidden_parts_need_nothing_more_hidden() -> None:
    cells = _suppress(
        _raw(
            contacts_received=30,
            contacts_by_channel_web=26,
            contacts_by_channel_phone=2,
            contacts_by_channel_walk_in=2,
        )
    )
    assert cells["contacts_by_channel_web"].text() == "26"


def test_the_year_must_be_a_year_that_has_been() -> None:
    assert check_year("2025", TODAY) == 2025
    assert check_year(None, TODAY) == 2026
    for bad in ("2027", "1999", "tjugo", "20 25"):
        with pytest.raises(NoSuchYear):
            check_year(bad, TODAY)


def _contact(session_factory, team: TeamFixture, at: datetime, **fields: object) -> int:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session,
            session.get(Team, team.created.team.id),
            SealedSubmission(
                kind=str(fields.pop("kind", "defector")),
                channel=str(fields.pop("channel", "web")),
                wants_callback=True,
                callback_window=CallbackWindow.ASAP,
                key_id="k" * 16,
                sealed_content=b"sealed words",
                receipt_digest=secrets.token_hex(32),
                reply_public_key=b"r" * 32,
            ),
            now=at,
        )
        for name, value in fields.items():
            setattr(contact, name, value)
        return contact.id


def _year_of_work(session_factory, team: TeamFixture) -> None:  # type: ignore[no-untyped-def]
    """2026: seven web contacts in March, five reached after two office hours,
    six cases accepted and five closed as established; 2025: one contact."""
    march = datetime.fromisoformat("2026-03-10T09:00:00+01:00")
    contact_ids = [_contact(session_factory, team, march + timedelta(days=day)) for day in range(7)]
    with transaction(session_factory) as session:
        for number, contact_id in enumerate(contact_ids):
            if number < 5:
                session.add(
                    CallAttempt(
                        contact_id=contact_id,
                        team_id=team.created.team.id,
                        outcome="reached",
                        at=march + timedelta(days=number, hours=2),
                    )
                )
            if number < 6:
                case = Case(
                    team_id=team.created.team.id,
                    contact_id=contact_id,
                    opened_at=march + timedelta(days=number, hours=3),
                    status="closed" if number < 5 else "accepted",
                    decided_at=march + timedelta(days=number + 1),
                )
                if number < 5:
                    case.close_reason = "established"
                    case.closed_on = date(2026, 9, 1)
                    case.ended_at = datetime.fromisoformat("2026-09-01T12:00:00+02:00")
                session.add(case)
    _contact(session_factory, team, datetime.fromisoformat("2025-06-02T10:00:00+02:00"))


@pytest.mark.usefixtures("team")
def test_the_report_counts_the_year_and_the_year_before(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    _year_of_work(session_factory, team)
    with session_factory() as session:
        report = build(session, session.get(Team, team.created.team.id), 2026, TODAY)

    def shown(key: str, year: int = 2026) -> str:
        return report.cell(key, year).text()

    assert shown("contacts_received") == "7"
    assert shown("contacts_in_month_03") == "7"
    assert shown("contacts_by_channel_web") == "7"
    assert shown("contacts_reached") == "5"
    assert shown("reached_percent") == "71,4"
    assert shown("median_office_hours_to_first_call") == "2"
    assert shown("cases_opened") == "6"
    assert shown("cases_accepted") == "6"
    assert shown("cases_closed") == "5"
    assert shown("cases_closed_established") == "5"
    assert shown("cases_in_mapping") == "<5"
    assert shown("contacts_received", 2025) == "<5"
    assert shown("cases_opened", 2025) == "0"
    assert report.has_data


@pytest.mark.usefixtures("team")
def test_the_report_is_the_same_after_retention_purged_every_word(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    _year_of_work(session_factory, team)
    with session_factory() as session:
        before = to_csv(build(session, session.get(Team, team.created.team.id), 2026, TODAY))
    with transaction(session_factory) as session:
        purged = purge_expired(session, datetime.fromisoformat("2027-11-24T10:00:00+01:00"))
    assert purged > 0
    with session_factory() as session:
        assert session.scalars(select(Contact.sealed_content)).all().count(b"") == purged
        after = to_csv(build(session, session.get(Team, team.created.team.id), 2026, TODAY))
    assert after == before


@pytest.mark.usefixtures("team")
def test_the_csv_opens_in_swedish_excel_one_row_per_figure_and_year(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    _year_of_work(session_factory, team)
    with session_factory() as session:
        report = build(session, session.get(Team, team.created.team.id), 2026, TODAY)
    text = to_csv(report)
    assert text.startswith("\ufefffigure;year;value\r\n")
    rows = text[1:].splitlines()[1:]
    assert len(rows) == 2 * len(report.figure_keys())
    assert "reached_percent;2026;71,4" in rows
    assert "contacts_received;2025;<5" in rows
    assert all(row.count(";") == 2 for row in rows)


def test_a_year_without_contacts_says_so(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        report = build(session, session.get(Team, team.created.team.id), 2024, TODAY)
    assert not report.has_data
    assert "Det finns inga kontakter eller ärenden för 2024." in to_text(report)


def _utvag(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [UTVAG, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_command_line_prints_the_same_figures(
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env["UTVAG_DATA_DIR"] = str(tmp_path / "var")
    env["UTVAG_DATABASE_URL"] = database_url
    assert _utvag(["init"], env).returncode == 0
    _year_of_work(session_factory, team)
    with session_factory() as session:
        expected = to_csv(build(session, session.get(Team, team.created.team.id), 2026, TODAY))

    as_csv = _utvag(["report", "followup", "vagvalet", "--year", "2026", "--format", "csv"], env)
    as_text = _utvag(["report", "followup", "vagvalet", "--year", "2026"], env)

    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout == expected.replace("\r\n", "\n") or as_csv.stdout == expected
    assert "Uppföljning 2026 – Vägvalet" in as_text.stdout
    assert "Kontakter totalt" in as_text.stdout
    for args, message in [
        (["report", "followup", "malmo", "--year", "2026"], "det finns inget team som heter"),
        (["report", "followup", "vagvalet", "--year", "2099"], "--year ska vara ett årtal"),
        (["report", "followup", "vagvalet", "--year", "i fjol"], "--year ska vara ett årtal"),
    ]:
        refused = _utvag(args, env)
        assert refused.returncode != 0
        assert message in refused.stderr
        assert refused.stdout == ""


@pytest.mark.usefixtures("during_office_hours")
def test_the_lead_reads_the_report_in_the_console_and_exports_it_audited(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    _year_of_work(session_factory, team)

    page = logged_in_staff.get("/reports/followup?year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html
    assert "<script" not in html
    assert "&lt;5" in html

    bad = logged_in_staff.get("/reports/followup?year=2099")
    assert bad.status_code == 400
    assert "Välj ett år från 2000 till 2026" in bad.get_data(as_text=True)
    empty = logged_in_staff.get("/reports/followup?year=2020").get_data(as_text=True)
    assert "inga kontakter" in empty

    exported = logged_in_staff.get("/reports/followup.csv?year=2026")
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "uppfoljning-2026.csv" in exported.headers["Content-Disposition"]
    with session_factory() as session:
        expected = to_csv(build(session, session.get(Team, team.created.team.id), 2026, TODAY))
        exports = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        checks = session.scalars(select(RegisterCheck)).all()
    assert exported.get_data(as_text=True) == expected
    assert [event.details for event in exports] == [{"what": "followup", "year": 2026}]
    assert checks == []


def test_one_teams_report_exports_with_team_and_csv_and_leaves_the_other_team_out(
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    """`--team SLUG --csv` prints that team's figures only, suppressed as the
    console's report is; another team's contacts change nothing in it."""
    from support import create_malmo

    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env["UTVAG_DATA_DIR"] = str(tmp_path / "var")
    env["UTVAG_DATABASE_URL"] = database_url
    assert _utvag(["init"], env).returncode == 0
    _year_of_work(session_factory, team)
    malmo = create_malmo(session_factory, team.keys)
    for day in range(3):
        _contact(
            session_factory, malmo, datetime.fromisoformat(f"2026-04-0{day + 1}T10:00:00+02:00")
        )
    with session_factory() as session:
        vagvalet = build(session, session.get(Team, team.created.team.id), 2026, TODAY)
        of_malmo = build(session, session.get(Team, malmo.created.team.id), 2026, TODAY)

    as_csv = _utvag(["report", "followup", "--team", "vagvalet", "--year", "2026", "--csv"], env)
    malmo_text = _utvag(["report", "followup", "--team", "malmo", "--year", "2026"], env)

    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.replace("\r\n", "\n") == to_csv(vagvalet).replace("\r\n", "\n")
    assert "contacts_received;2026;7" in as_csv.stdout
    assert malmo_text.stdout == to_text(of_malmo)
    assert "Uppföljning 2026 – Malmö" in malmo_text.stdout
    # Three contacts: suppressed, as on the console's page.
    assert of_malmo.cell("contacts_received", 2026).text() == "<5"
    refused = _utvag(["report", "followup", "--year", "2026"], env)
    assert refused.returncode != 0
    assert "--team SLUG" in refused.stderr
