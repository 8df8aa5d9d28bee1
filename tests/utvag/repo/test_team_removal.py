"""Removing a team that has left the install, proven on both engines.

After the removal no table holds a row of the team (every table with a path
of foreign keys to ``teams`` is walked, not a list), no lock of its keys is
left, the other team is untouched and still opens its envelopes, the kept
report prints what the report printed before, and the audit trail verifies.
A failure at any point leaves the team, its rows and its locks as they were.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from support import TeamFixture, add_member, create_malmo, sealed_submission, team_keys
from utvag_cli_support import UTVAG

from crypto.opening import open_sealed
from crypto.sealing import seal
from utvag.repo import audit, outbox
from utvag.repo import team_removal as removal_module
from utvag.repo.contacts import create_contact
from utvag.repo.messages import add_follow_up
from utvag.repo.team_removal import RemovalProblem, RemovalRefused, remove_team
from utvag.repo.team_rows import TeamRows, owns, team_tables
from utvag.repo.teams import active_team_key
from utvag.reports.followup import build, to_text
from utvag.reports.kept import keep_reports, kept_report
from utvag.store.db import Base, transaction
from utvag.store.models import (
    AuditEvent,
    CallAttempt,
    Case,
    Contact,
    OutboxEntry,
    StaffSession,
    Team,
    TeamKey,
)

TODAY = date(2026, 11, 24)


def _work(session_factory: Any, fixture: TeamFixture, words: str, count: int) -> list[int]:
    """``count`` sealed contacts with a call, a case and a follow-up each."""
    ids = []
    with transaction(session_factory) as session:
        team = session.get_one(Team, fixture.created.team.id)
        key = active_team_key(session, team.id)
        for number in range(count):
            at = datetime.fromisoformat("2026-03-10T09:00:00+01:00") + timedelta(days=number)
            contact, _ = create_contact(
                session,
                team,
                sealed_submission(
                    key_id=key.key_id, sealed_content=seal(key.public_key, words.encode())
                ),
                now=at,
            )
            session.add(
                CallAttempt(
                    contact_id=contact.id,
                    team_id=team.id,
                    outcome="reached",
                    at=at + timedelta(hours=2),
                    staff_member_id=fixture.created.admin.id,
                )
            )
            if number < 3:  # three cases: a figure the report hides as <5
                session.add(
                    Case(
                        team_id=team.id,
                        contact_id=contact.id,
                        opened_at=at + timedelta(hours=3),
                        status="accepted",
                        decided_at=at + timedelta(days=1),
                    )
                )
            add_follow_up(session, contact, b"sealed again")
            outbox.add_job(session, "forget_call", "locked-sid")
            audit.record(session, "contact_opened", team_id=team.id, contact_id=contact.id)
            ids.append(contact.id)
    return ids


def _every_row_of(session_factory: Any, team_id: int) -> dict[str, int]:
    with session_factory() as session:
        return {name: count for name, count in TeamRows(team_id).counts(session).items() if count}


def _ids_of_every_table_row(session_factory: Any, team_id: int) -> dict[str, set[int]]:
    """Every id of the team, table by table, found without the walk: by the
    team_id column where a table has one, then by the contact, case or key."""
    ids: dict[str, set[int]] = {"teams": {team_id}}
    with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            if "team_id" in table.c and "id" in table.c:
                ids[table.name] = set(
                    session.scalars(select(table.c.id).where(table.c.team_id == team_id))
                )
        for table in Base.metadata.sorted_tables:
            for column, parent in (
                ("contact_id", "contacts"),
                ("case_id", "cases"),
                ("team_key_id", "team_keys"),
            ):
                if column in table.c and "id" in table.c and ids.get(parent):
                    ids.setdefault(table.name, set()).update(
                        session.scalars(select(table.c.id).where(table.c[column].in_(ids[parent])))
                    )
    return ids


@pytest.fixture
def two_teams(session_factory: Any, team: TeamFixture) -> tuple[TeamFixture, TeamFixture]:
    malmo = create_malmo(session_factory, team.keys)
    add_member(session_factory, team, "bo", "coordinator")
    _work(session_factory, team, "Jag vill ut", 6)
    _work(session_factory, malmo, "Ring mig i morgon", 3)
    with transaction(session_factory) as session:
        # A call of Malmö's logged by Vägvalet's admin (a contact handed over):
        # a reference from another team's row, which must be emptied, not followed.
        attempt = session.scalars(
            select(CallAttempt).where(CallAttempt.team_id == malmo.created.team.id)
        ).first()
        assert attempt is not None
        attempt.staff_member_id = team.created.admin.id
    return team, malmo


def test_the_walk_reaches_every_table_with_a_path_to_teams() -> None:
    """Every table with a team_id column, and every table owned by one of
    those, is walked; none is named by hand."""
    walked = {table.name for table in team_tables()}
    for table in Base.metadata.sorted_tables:
        if "team_id" in table.c and table.c.team_id.foreign_keys:
            assert table.name in walked, table.name
        for fk in table.foreign_keys:
            if owns(fk) and fk.column.table.name in walked:
                assert table.name in walked, table.name
    assert {"contacts", "cases", "case_checks", "key_wraps", "staff_sessions"} <= walked
    assert "audit_events" not in walked
    assert "outbox" not in walked


def test_every_job_either_names_a_row_or_is_kept_on_removal() -> None:
    from utvag.jobs import JOB_FUNCTIONS

    named, kept = set(outbox.ROW_NAMED_BY_JOB), set(outbox.JOBS_KEPT_ON_TEAM_REMOVAL)
    assert not named & kept
    assert named | kept == set(JOB_FUNCTIONS)


def test_removal_leaves_no_row_of_the_team_and_the_other_team_as_it_was(
    session_factory: Any, two_teams: tuple[TeamFixture, TeamFixture]
) -> None:
    vagvalet, malmo = two_teams
    gone, stays = vagvalet.created.team.id, malmo.created.team.id
    with session_factory() as session:
        key_ids = list(session.scalars(select(TeamKey.key_id).where(TeamKey.team_id == gone)))
        forget_jobs = session.scalar(
            select(func.count()).where(OutboxEntry.job_name == "forget_call")
        )
    assert _every_row_of(session_factory, gone)["contacts"] == 6
    malmo_before = _every_row_of(session_factory, stays)
    assert all(vagvalet.keys.lock_secret(key_id) for key_id in key_ids)

    old_ids = _ids_of_every_table_row(session_factory, gone)
    assert old_ids["contacts"]
    assert old_ids["staff_members"]

    removed = remove_team(session_factory, "vagvalet", vagvalet.keys, actor_name="command line")

    assert _every_row_of(session_factory, gone) == {}
    # Checked apart from the walk: no column anywhere that points at a table
    # still holds an id the team had in it.
    with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                ids = old_ids.get(fk.column.table.name)
                if ids:
                    left = session.scalar(
                        select(func.count()).select_from(table).where(fk.parent.in_(ids))
                    )
                    assert left == 0, f"{table.name}.{fk.parent.name}"
    assert removed.rows_deleted["contacts"] == 6
    # Its keys are shredded: no lock is left for any backup to open them with.
    assert all(vagvalet.keys.lock_secret(key_id) is None for key_id in key_ids)
    assert removed.keys_destroyed == key_ids
    assert _every_row_of(session_factory, stays) == malmo_before
    with session_factory() as session:
        # Its jobs that only concerned its rows went; Twilio's clean-up stays.
        left = session.execute(select(OutboxEntry.job_name, OutboxEntry.job_args)).all()
        vagvalet_contacts = set(range(1, 10**6)) - set(
            session.scalars(select(Contact.id).where(Contact.team_id == stays))
        )
        assert not [
            job
            for job in left
            if job.job_name in outbox.ROW_NAMED_BY_JOB and job.job_args[0] in vagvalet_contacts
        ]
        assert sum(1 for job in left if job.job_name == "forget_call") == forget_jobs
        assert session.scalar(select(func.count()).select_from(Team)) == 1
        envelopes = session.scalars(select(Contact.sealed_content)).all()
        assert not audit.verify_chain(session)
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (last.action, last.team_id, last.details["slug"]) == (
            "team_removed",
            gone,
            "vagvalet",
        )
    # The other team still opens every envelope it has.
    malmo_keys = team_keys(session_factory, malmo)
    assert {open_sealed(malmo_keys, envelope) for envelope in envelopes} == {b"Ring mig i morgon"}


def test_the_kept_counts_are_the_report_as_it_was(
    session_factory: Any, two_teams: tuple[TeamFixture, TeamFixture]
) -> None:
    vagvalet, _ = two_teams
    with session_factory() as session:
        before = to_text(
            build(session, session.get_one(Team, vagvalet.created.team.id), 2026, TODAY)
        )
    assert "Kontakter totalt" in before
    assert "  6  " in before
    assert "<5" in before

    def keep(session: Any, team: Team) -> list[int]:
        return keep_reports(session, team, TODAY)

    removed = remove_team(
        session_factory, "vagvalet", vagvalet.keys, actor_name="lead", keep_figures=keep
    )

    assert removed.years_kept == [2026]
    with session_factory() as session:
        kept = kept_report(session, "vagvalet", 2026)
        assert kept is not None
        assert to_text(kept) == before
        assert kept_report(session, "malmo", 2026) is None


def test_the_last_team_and_a_team_with_a_member_logged_in_are_refused(
    session_factory: Any, two_teams: tuple[TeamFixture, TeamFixture]
) -> None:
    vagvalet, malmo = two_teams
    with transaction(session_factory) as session:
        session.add(
            StaffSession(id="s" * 64, staff_member_id=malmo.created.admin.id, sealed_team_keys=b"x")
        )
    with pytest.raises(RemovalRefused) as refused:
        remove_team(session_factory, "malmo", malmo.keys, actor_name="lead")
    assert refused.value.problem == RemovalProblem.MEMBERS_LOGGED_IN
    with pytest.raises(RemovalRefused) as refused:
        remove_team(session_factory, "stockholm", malmo.keys, actor_name="lead")
    assert refused.value.problem == RemovalProblem.NO_SUCH_TEAM
    remove_team(session_factory, "vagvalet", vagvalet.keys, actor_name="lead")
    with transaction(session_factory) as session:
        session.execute(StaffSession.__table__.delete())
    with pytest.raises(RemovalRefused) as refused:
        remove_team(session_factory, "malmo", malmo.keys, actor_name="lead")
    assert refused.value.problem == RemovalProblem.LAST_TEAM
    assert _every_row_of(session_factory, malmo.created.team.id)["contacts"] == 3


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("where", ["midway", "at_commit"])
def test_a_failure_leaves_the_team_its_rows_and_its_locks_as_they_were(
    session_factory: Any,
    two_teams: tuple[TeamFixture, TeamFixture],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    vagvalet, _ = two_teams
    gone = vagvalet.created.team.id
    before = _every_row_of(session_factory, gone)
    with session_factory() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    if where == "midway":
        # Half the tables emptied, then the database fails.
        real_delete = removal_module.TeamRows.delete_all

        def half_then_fail(self: TeamRows, session: Any) -> dict[str, int]:
            session.execute(Case.__table__.delete().where(Case.team_id == self.team_id))
            session.execute(
                CallAttempt.__table__.delete().where(CallAttempt.team_id == self.team_id)
            )
            raise Boom

        monkeypatch.setattr(removal_module.TeamRows, "delete_all", half_then_fail)
        assert real_delete is not half_then_fail
    else:
        # Every row deleted and every lock taken; then the commit fails.
        def fail_commit(session: Any) -> None:
            raise Boom

        monkeypatch.setattr(audit, "_take_chain_lock", fail_commit)

    with pytest.raises(Boom):
        remove_team(session_factory, "vagvalet", vagvalet.keys, actor_name="lead")

    assert _every_row_of(session_factory, gone) == before
    # Its keys still open: the locks were put back.
    opened = team_keys(session_factory, vagvalet)
    with session_factory() as session:
        envelope = session.scalars(
            select(Contact.sealed_content).where(Contact.team_id == gone)
        ).first()
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert open_sealed(opened, envelope) == b"Jag vill ut"


def _utvag(
    args: list[str], env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [UTVAG, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_asks_for_the_slug_keeps_counts_and_audit_verify_passes(
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    session_factory: Any,
    two_teams: tuple[TeamFixture, TeamFixture],
) -> None:
    vagvalet, _ = two_teams
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env["UTVAG_DATA_DIR"] = str(vagvalet.keys.key_store.parent)
    env["UTVAG_DATABASE_URL"] = database_url
    assert _utvag(["init"], env).returncode == 0
    year = str(datetime.now().year)
    report_before = _utvag(["report", "followup", "--team", "vagvalet", "--year", year], env)
    assert report_before.returncode == 0, report_before.stderr

    wrong = _utvag(["team", "remove", "vagvalet", "--keep-counts"], env, stdin="malmo\n")
    assert wrong.returncode != 0
    assert "does not match" in wrong.stderr
    assert _every_row_of(session_factory, vagvalet.created.team.id)
    done = _utvag(["team", "remove", "vagvalet", "--keep-counts"], env, stdin="vagvalet\n")
    assert done.returncode == 0, done.stderr
    assert "key(s) destroyed" in done.stdout

    assert _every_row_of(session_factory, vagvalet.created.team.id) == {}
    verified = _utvag(["audit", "verify"], env)
    assert verified.returncode == 0, verified.stderr
    report_after = _utvag(["report", "followup", "--team", "vagvalet", "--year", year], env)
    assert report_after.stdout == report_before.stdout
    last = _utvag(["team", "remove", "malmo", "--yes"], env)
    assert last.returncode != 0
    assert "last team" in last.stderr


def test_a_team_created_after_a_removal_never_takes_the_removed_teams_id(
    session_factory: Any, two_teams: tuple[TeamFixture, TeamFixture]
) -> None:
    """The removed team's audit rows keep its plain id, and the console shows a
    team the audit rows with its id: a new team must not inherit them (SQLite
    would otherwise give the highest id again)."""
    vagvalet, malmo = two_teams
    removed_id = malmo.created.team.id  # the newest team, the highest id
    remove_team(session_factory, "malmo", vagvalet.keys, actor_name="lead")
    again = create_malmo(session_factory, vagvalet.keys)
    assert again.created.team.id > removed_id
    with session_factory() as session:
        assert not session.scalars(
            select(AuditEvent).where(
                AuditEvent.team_id == again.created.team.id, AuditEvent.action == "team_removed"
            )
        ).all()
