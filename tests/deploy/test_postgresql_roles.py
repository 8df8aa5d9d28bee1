"""deploy/postgresql/roles.sql, for real: each process works under its own role.

A fresh database and three fresh roles (suffixed, so runs never collide) get
exactly the grants from roles.sql; then the public app, the console and the
worker do their everyday work, each connected as its own role. A missing
grant fails here instead of in production; an extra one is visible in the
file under review.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from support import create_vagvalet, csrf_token_from, log_in, post_form
from twilio_fake import FakeTwilio, with_hotline

from crypto.kdf import TEST_COST
from utvag.clock import utcnow
from utvag.config import Config
from utvag.console_keys import make_console_keys
from utvag.jobs import context as worker_context
from utvag.jobs.context import AppContext
from utvag.jobs.dispatch import relay
from utvag.jobs.maintenance import Schedule, run_due_tasks
from utvag.repo import eviction
from utvag.repo.staff_notices import NOTICE_TEXT
from utvag.store.db import make_engine, make_session_factory
from utvag.store.schema import upgrade_to_head

ROLES_SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgresql" / "roles.sql"
PROCESSES = ("intake", "console", "worker")


def _grant_statements(suffix: str) -> list[str]:
    body = ROLES_SQL.read_text().split("\\connect utvag", 1)[1]
    body = "\n".join(line for line in body.splitlines() if not line.strip().startswith("--"))
    body = re.sub(r"\butvag_(intake|console|worker)\b", rf"utvag_\1_{suffix}", body)
    return [statement.strip() for statement in body.split(";") if statement.strip()]


@pytest.fixture(scope="module")
def role_urls() -> Iterator[dict[str, str]]:
    import os

    admin_url = os.environ.get(
        "UTVAG_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ).strip()
    if not admin_url:
        pytest.skip("UTVAG_TEST_DATABASE_URL is empty: PostgreSQL tests switched off")
    suffix = secrets.token_hex(4)
    name = f"utvag_roles_{suffix}"
    server = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        for process in PROCESSES:
            connection.execute(text(f"CREATE ROLE utvag_{process}_{suffix} LOGIN"))
    owner_url = make_url(admin_url).set(database=name)
    upgrade_to_head(owner_url.render_as_string(hide_password=False))
    database = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with database.connect() as connection:
        for statement in _grant_statements(suffix):
            connection.execute(text(statement))
    database.dispose()
    urls = {
        process: owner_url.set(username=f"utvag_{process}_{suffix}").render_as_string(
            hide_password=False
        )
        for process in PROCESSES
    }
    urls["owner"] = owner_url.render_as_string(hide_password=False)
    yield urls
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for process in PROCESSES:
            connection.execute(text(f"DROP ROLE IF EXISTS utvag_{process}_{suffix}"))
    server.dispose()


def _config(tmp_path: Path, url: str, redis_url: str) -> Config:
    return Config(
        data_dir=tmp_path / "var",
        database_url=url,
        redis_url=redis_url,
        public_url="http://127.0.0.1:8000",
        twilio=None,
        kdf_cost=TEST_COST,
        testing=True,
    )


@pytest.mark.usefixtures("during_office_hours")
def test_each_process_does_its_work_under_its_own_role(
    role_urls: dict[str, str],
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    time_machine,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    twilio_api: FakeTwilio,
) -> None:
    from intake_web import create_app as create_intake
    from triage import create_app as create_console
    from worker import build_worker

    owner = make_engine(role_urls["owner"])
    team = create_vagvalet(make_session_factory(owner), make_console_keys(tmp_path / "var")[0])
    owner.dispose()

    intake = create_intake(
        _config(tmp_path, role_urls["intake"], redis_url), redis_client=redis_client
    )
    person = intake.test_client()
    sent = post_form(person, "/sv/callback", {"phone": "0701234567"})
    assert sent.status_code == 200
    # A second contact, for the retention purge to find (the first is reopened
    # by the worker when the person asks to be called again).
    assert post_form(person, "/sv/message", {"message": "Hej"}).status_code == 200
    code = re.search(r"<strong>([0-9A-Z-]{19})</strong>", sent.get_data(as_text=True)).group(1)
    status = post_form(person, "/sv/receipt", {"code": code})
    assert status.status_code == 200
    token = csrf_token_from(status.get_data(as_text=True))
    follow_up = person.post(
        "/sv/receipt/message",
        data={"csrf_token": token, "code": code, "message": "Igen", "call_me": "same"},
    )
    assert follow_up.status_code == 200
    # A message sent after the form's wait (the ticket spent under this role),
    # which the worker will evict below, and whose owner is then told so.
    form_page = person.get("/sv/message").get_data(as_text=True)
    ticket = re.search(r'name="wait_ticket" value="([^"]+)"', form_page).group(1)
    time_machine.shift(timedelta(seconds=30))
    waited = person.post(
        "/sv/message",
        data={"csrf_token": csrf_token_from(form_page), "wait_ticket": ticket, "message": "Jag"},
    )
    assert waited.status_code == 200
    evicted_code = re.search(r"<strong>([0-9A-Z-]{19})</strong>", waited.get_data(as_text=True))

    console = create_console(
        _config(tmp_path, role_urls["console"], redis_url), redis_client=redis_client
    )
    staff = console.test_client()
    assert log_in(staff, team).status_code == 302
    assert "070-123 45 67" in staff.get("/contacts/1").get_data(as_text=True)
    token = csrf_token_from(staff.get("/queue").get_data(as_text=True))
    # A closed case on contact 2, for the follow-up after the case.
    owner = create_engine(role_urls["owner"])
    with owner.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cases (team_id, contact_id, opened_at, status, police_meeting_held,"
                " police_meeting_roles, closed_on, close_reason, ended_at)"
                " SELECT team_id, id, created_at, 'closed', false, '[]', CAST(created_at AS date),"
                " 'established', created_at FROM contacts WHERE id = 2"
            )
        )
    owner.dispose()
    for path, data in [
        (
            "/cases/1/partner-meetings",
            {
                "held_on": utcnow().date().isoformat(),
                "partner_roles": "police",
                "outcome": "plan_continues",
                "note": "bra möte",
            },
        ),
        (
            "/cases/1/outcome-checks",
            {
                "months": "6",
                "checked_on": utcnow().date().isoformat(),
                "left_group": "yes",
                "no_new_sanction": "yes",
                "housing": "unknown",
                "work_or_studies": "no",
            },
        ),
    ]:
        assert staff.post(path, data={"csrf_token": token, **data}).status_code == 302, path
    keep = {"keep_until": (utcnow() + timedelta(days=30)).date().isoformat(), "reason": "pågår"}
    kept = staff.post("/retention/cases/1/keep", data={"csrf_token": token, **keep})
    assert kept.status_code == 302
    for page in ["/cases/1", "/followups", "/retention"]:
        assert staff.get(page).status_code == 200, page
    for path, data in [
        ("/contacts/1/claim", {}),
        ("/contacts/1/attempts", {"outcome": "no_answer", "note": "röstbrevlåda"}),
        ("/contacts/1/reply", {"reply": "Vi ringer igen"}),
        # Against the person's choice, with a reason: purged with contact 2.
        ("/contacts/2/call-from", {"call_from": "hotline", "reason": "bad om det"}),
        ("/admin/members", {"username": "cora", "role": "coordinator"}),
        (
            "/team/closed-days",
            {"day": "2026-12-30", "last_day": "2026-12-30", "reason": "utbildningsdag"},
        ),
        ("/team/open-days", {"day": "2026-12-19", "opens": "10:00", "closes": "14:00"}),
        # A staff notice due now (10:00), to a member who asked for them.
        ("/team/notices", {"notice_times": "10:00"}),
        ("/account/notices", {"action": "on", "phone": "0701234599"}),
    ]:
        assert staff.post(path, data={"csrf_token": token, **data}).status_code in (200, 302), path
    for page in ["/queue", "/reports/calls", "/audit", "/admin/members", "/team", "/cases"]:
        assert staff.get(page).status_code == 200, page
    # A key's whole life under the console's role: rotate, re-seal, destroy.
    for path, data in [
        ("/admin/keys/rotate", {"confirm": "yes"}),
        ("/admin/keys/reseal", {}),
        ("/keys/1/destroy", {"confirm": "yes"}),
    ]:
        assert staff.post(path, data={"csrf_token": token, **data}).status_code == 302, path
    assert staff.get("/keys").status_code == 200
    assert "070-123 45 67" in staff.get("/contacts/1").get_data(as_text=True)

    # Something for the worker's schedule to do: a contact closed long ago,
    # and a staff session left idle.
    check = create_engine(role_urls["owner"])
    with check.begin() as connection:
        # Naive UTC, as the models store it, from the test's (moved) clock.
        now = utcnow().replace(tzinfo=None)
        connection.execute(
            text("UPDATE contacts SET status = 'closed', closed_at = :at WHERE id = 2"),
            {"at": now - timedelta(days=400)},
        )
        connection.execute(
            text("UPDATE staff_sessions SET last_seen_at = :at"), {"at": now - timedelta(hours=2)}
        )
        connection.execute(text("UPDATE contacts SET status = 'unverified' WHERE id = 3"))
    monkeypatch.setattr(eviction, "UNVERIFIED_CAP", 0)

    worker_config = with_hotline(_config(tmp_path, role_urls["worker"], redis_url), twilio_api)
    ctx = AppContext.build(worker_config, redis_client)
    worker_context.bind(ctx)
    try:
        build_worker(ctx).work(burst=True)
        run_due_tasks(ctx.session_factory, ctx.config, Schedule())
        relay(ctx.session_factory, ctx.redis_client)
        build_worker(ctx).work(burst=True)  # the staff notice
    finally:
        worker_context.bind(None)
        ctx.engine.dispose()
    for app in (intake, console):
        app.extensions["utvag"].engine.dispose()

    with check.connect() as connection:
        pending = connection.execute(
            text("SELECT id, job_name FROM outbox WHERE completed_at IS NULL AND run_at IS NULL")
        ).all()
        purged = connection.execute(text("SELECT purged_at FROM contacts WHERE id = 2")).scalar()
        reasons = connection.execute(
            text("SELECT sealed_reason FROM call_from_changes WHERE contact_id = 2")
        ).scalars()
        reasons_left = list(reasons)
        partner_notes = list(
            connection.execute(text("SELECT sealed_notes FROM case_partner_meetings")).scalars()
        )
        kept_reasons = list(
            connection.execute(
                text("SELECT sealed_reason FROM case_retention_extensions")
            ).scalars()
        )
        records = connection.execute(
            text("SELECT kind, rule FROM retention_records WHERE kind = 'contact'")
        ).all()
        outcome_checks = connection.execute(
            text("SELECT count(*) FROM case_outcome_checks")
        ).scalar()
        reopened = connection.execute(text("SELECT status FROM contacts WHERE id = 1")).scalar()
        sessions = connection.execute(text("SELECT count(*) FROM staff_sessions")).scalar()
        destroyed = connection.execute(
            text("SELECT destroyed_at FROM team_keys WHERE id = 1")
        ).scalar()
        evicted = connection.execute(text("SELECT status FROM contacts WHERE id = 3")).scalar()
        runs = connection.execute(
            text("SELECT task FROM maintenance_runs WHERE failures_in_a_row = 0")
        ).scalars()
        succeeded = set(runs)
    check.dispose()
    assert pending == [], "the worker could not finish its jobs under its role"
    assert purged is not None, "the retention purge did not run under the worker's role"
    assert reasons_left == [None], "the purge did not empty the reason for a change"
    assert partner_notes == [None], "the purge did not empty a partner meeting's notes"
    assert kept_reasons == [None], "the purge did not empty the reason to keep longer"
    assert records == [("contact", "contact_closed")], "the purge left no record under its role"
    assert outcome_checks == 1, "the console could not record an outcome check"
    assert reopened == "received", "the worker could not reopen a call under its role"
    assert sessions == 0, "the worker could not delete an expired session under its role"
    assert destroyed is not None, "the console could not destroy a key under its role"
    assert evicted == "evicted", "the worker could not evict under its role"
    assert succeeded == {
        "staff_sessions",
        "retention",
        "throttle_windows",
        "unverified_cap",
        "staff_notices",
    }
    assert [sms["Body"] for sms in twilio_api.sent_messages] == [NOTICE_TEXT]
    assert twilio_api.messages == {}, "the worker could not delete its notice at Twilio"
    assert evicted_code is not None
    again = create_intake(
        _config(tmp_path, role_urls["intake"], redis_url), redis_client=redis_client
    )
    told = post_form(again.test_client(), "/sv/receipt", {"code": evicted_code.group(1)})
    again.extensions["utvag"].engine.dispose()
    assert "Vi sparade inte det du skickade" in told.get_data(as_text=True)


@pytest.mark.usefixtures("during_office_hours")
def test_a_handover_works_under_the_consoles_role(
    role_urls: dict[str, str], tmp_path: Path, redis_url: str, redis_client: redis.Redis
) -> None:
    """A contact with a case and a call note goes to another team: re-sealed,
    moved and recorded under the console's role alone."""
    from support import TeamFixture, sealed_submission

    from triage import create_app as create_console
    from utvag.repo.contacts import create_contact
    from utvag.repo.team_setup import create_team
    from utvag.repo.teams import active_team_key
    from utvag.sealed_fields import seal_fields
    from utvag.store.db import transaction
    from utvag.store.models import CallAttempt, Case, CaseCheck, ChecklistItem

    password = "a long handover password"
    keys = make_console_keys(tmp_path / "var")[0]
    owner = make_engine(role_urls["owner"])
    made = {}
    with transaction(make_session_factory(owner)) as session:
        for slug, name, admin in (("lamnar", "Lämnar", "olle"), ("tar-emot", "Tar emot", "maja")):
            made[slug] = create_team(
                session,
                slug=slug,
                name=name,
                admin_username=admin,
                admin_password=password,
                hours_spec="mon-fri 08:00-16:00",
                timezone="Europe/Stockholm",
                cost=TEST_COST,
                keys=keys,
            )
        sending = made["lamnar"].team
        key = active_team_key(session, sending.id)
        contact, _ = create_contact(
            session,
            sending,
            sealed_submission(
                key_id=key.key_id,
                sealed_content=seal_fields(key.public_key, {"message": "Flyttar-Lodjur-7"}),
            ),
        )
        contact.status = "case_opened"
        case = Case(
            team_id=sending.id,
            contact_id=contact.id,
            sealed_notes=seal_fields(key.public_key, {"note": "Ärende-Lodjur-8"}),
        )
        session.add(case)
        session.add(
            CallAttempt(
                contact_id=contact.id,
                team_id=sending.id,
                outcome="reached",
                sealed_note=seal_fields(key.public_key, {"note": "Samtal-Lodjur-9"}),
            )
        )
        session.flush()
        item = session.scalars(
            select(ChecklistItem).where(ChecklistItem.team_id == sending.id)
        ).first()
        session.add(CaseCheck(case_id=case.id, item_id=item.id))
        contact_id, case_id = contact.id, case.id
    owner.dispose()

    console = create_console(
        _config(tmp_path, role_urls["console"], redis_url), redis_client=redis_client
    )
    olle = console.test_client()
    assert log_in(olle, TeamFixture(made["lamnar"], password, keys)).status_code == 302
    choice = {
        "team": str(made["tar-emot"].team.id),
        "consent": "yes",
        "consent_given_on": "2026-11-24",
        "confirm": "yes",
    }
    done = post_form(olle, f"/contacts/{contact_id}/handover", choice)
    assert done.status_code == 302, done.get_data(as_text=True)
    assert olle.get(f"/contacts/{contact_id}").status_code == 404
    maja = console.test_client()
    assert log_in(maja, TeamFixture(made["tar-emot"], password, keys)).status_code == 302
    page = maja.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "Flyttar-Lodjur-7" in page
    assert "Samtal-Lodjur-9" in page
    assert "Ärende-Lodjur-8" in maja.get(f"/cases/{case_id}").get_data(as_text=True)
    console.extensions["utvag"].engine.dispose()


def test_the_public_role_cannot_read_keys_staff_or_the_audit_trail(
    role_urls: dict[str, str],
) -> None:
    from sqlalchemy.exc import ProgrammingError

    intake = create_engine(role_urls["intake"])
    for table in [
        "key_wraps",
        "staff_members",
        "staff_sessions",
        "audit_events",
        "cases",
        "enrolments",
    ]:
        with intake.connect() as connection, pytest.raises(ProgrammingError, match="permission"):
            connection.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
    intake.dispose()


# Exactly what each process may do, written out independently of roles.sql:
# a grant added there without a reason here fails, and so does one missing.
WRITE = {"SELECT", "INSERT", "UPDATE"}
EXPECTED_TABLE_GRANTS: dict[str, dict[str, set[str]]] = {
    "intake": {
        "teams": {"SELECT"},
        "team_keys": {"SELECT"},
        "closed_days": {"SELECT"},
        "extra_open_days": {"SELECT"},
        "contacts": {"SELECT", "INSERT"},
        "contact_messages": {"SELECT", "INSERT"},
        "outbox": {"SELECT", "INSERT"},
        "network_throttles": WRITE,
        "spent_proofs": {"SELECT", "INSERT"},
        "call_attempts": {"INSERT"},
        "answered_calls": {"SELECT", "INSERT"},
        "public_text_versions": {"SELECT"},
    },
    "console": {
        "teams": {"SELECT", "UPDATE"},
        "team_keys": WRITE,
        "key_wraps": {"SELECT", "INSERT", "DELETE"},
        "staff_members": WRITE,
        "staff_sessions": WRITE | {"DELETE"},
        "enrolments": WRITE | {"DELETE"},
        "closed_days": WRITE | {"DELETE"},
        "extra_open_days": WRITE | {"DELETE"},
        "network_throttles": WRITE | {"DELETE"},
        "contacts": WRITE,
        "contact_messages": WRITE,
        "call_attempts": WRITE,
        "cases": WRITE,
        "case_checks": WRITE,
        "checklist_items": WRITE,
        "case_assessments": WRITE,
        "case_meetings": WRITE,
        "case_consents": WRITE,
        "case_register_checks": WRITE,
        "case_partner_meetings": WRITE,
        "case_outcome_checks": WRITE,
        "retention_records": {"SELECT"},
        "case_retention_extensions": WRITE,
        "case_investigations": WRITE,
        "case_funds_applications": WRITE,
        "outside_referrals": WRITE,
        "case_clock_exceptions": WRITE,
        "voice_messages": {"SELECT", "UPDATE"},
        "call_from_changes": WRITE,
        "handovers": {"SELECT", "INSERT"},
        "outbox": WRITE,
        "audit_events": {"SELECT", "INSERT"},
        "maintenance_runs": {"SELECT"},
        "kept_team_reports": {"SELECT"},
        "spent_proofs": {"SELECT"},
        # Each save adds a version; none is ever changed or deleted.
        "public_text_versions": {"SELECT", "INSERT"},
    },
    "worker": {
        "outbox": WRITE,
        "teams": {"SELECT"},
        "closed_days": {"SELECT"},
        "extra_open_days": {"SELECT"},
        "contacts": {"SELECT", "UPDATE"},
        "call_attempts": WRITE,
        "cases": {"SELECT", "UPDATE"},
        "case_checks": {"SELECT", "UPDATE"},
        "case_assessments": {"SELECT", "UPDATE"},
        "case_meetings": {"SELECT", "UPDATE"},
        "case_consents": {"SELECT", "UPDATE"},
        "case_register_checks": {"SELECT", "UPDATE"},
        "case_partner_meetings": {"SELECT", "UPDATE"},
        "case_retention_extensions": {"SELECT", "UPDATE"},
        "retention_records": {"SELECT", "INSERT"},
        "case_investigations": {"SELECT", "UPDATE"},
        "case_funds_applications": {"SELECT", "UPDATE"},
        "outside_referrals": {"SELECT", "UPDATE"},
        "case_clock_exceptions": {"SELECT", "UPDATE"},
        "team_keys": {"SELECT"},
        "voice_messages": {"SELECT", "INSERT", "DELETE"},
        "call_from_changes": {"SELECT", "UPDATE"},
        "contact_messages": {"SELECT", "DELETE"},
        "network_throttles": {"SELECT", "DELETE"},
        "staff_sessions": {"SELECT", "DELETE"},
        "maintenance_runs": WRITE,
        "spent_proofs": {"SELECT", "DELETE"},
        "answered_calls": {"SELECT", "DELETE"},
        "audit_events": {"SELECT", "INSERT"},
        "notice_rounds": {"SELECT", "INSERT", "DELETE"},
        "staff_notices": WRITE | {"DELETE"},
    },
}
# Column-level grants on top of the table-level ones.
EXPECTED_COLUMN_GRANTS: dict[str, set[tuple[str, str, str]]] = {
    "intake": {
        ("outbox", "enqueued_at", "UPDATE"),
        ("outbox", "enqueue_count", "UPDATE"),
        ("contacts", "unseen_follow_up_at", "UPDATE"),
        ("contacts", "queue_due_at", "UPDATE"),
    },
    "console": set(),
    "worker": {
        ("staff_members", "id", "SELECT"),
        ("staff_members", "team_id", "SELECT"),
        ("staff_members", "username", "SELECT"),
        ("staff_members", "notice_phone", "SELECT"),
        ("staff_members", "disabled_at", "SELECT"),
    },
}
EXPECTED_SEQUENCES: dict[str, set[str]] = {
    "intake": {
        "contacts_id_seq",
        "contact_messages_id_seq",
        "outbox_id_seq",
        "network_throttles_id_seq",
        "call_attempts_id_seq",
    },
    "worker": {
        "audit_events_id_seq",
        "outbox_id_seq",
        "voice_messages_id_seq",
        "call_attempts_id_seq",
        "retention_records_id_seq",
        "notice_rounds_id_seq",
        "staff_notices_id_seq",
    },
}


def _actual_grants(
    url: str, role: str
) -> tuple[dict[str, set[str]], set[tuple[str, str, str]], set[str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        table_rows = connection.execute(
            text(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants"
                " WHERE grantee = :role AND table_schema = 'public'"
            ),
            {"role": role},
        ).all()
        column_rows = connection.execute(
            text(
                "SELECT table_name, column_name, privilege_type"
                " FROM information_schema.column_privileges"
                " WHERE grantee = :role AND table_schema = 'public'"
            ),
            {"role": role},
        ).all()
        sequences = connection.execute(
            text(
                "SELECT object_name FROM information_schema.usage_privileges"
                " WHERE object_type = 'SEQUENCE' AND grantee = :role"
                " AND object_schema = 'public' AND privilege_type = 'USAGE'"
            ),
            {"role": role},
        ).scalars()
        sequence_names = set(sequences)
    engine.dispose()
    tables: dict[str, set[str]] = {}
    for table, privilege in table_rows:
        tables.setdefault(table, set()).add(privilege)
    columns = {
        (table, column, privilege)
        for table, column, privilege in column_rows
        if privilege not in tables.get(table, set())
    }
    return tables, columns, sequence_names


@pytest.mark.parametrize("process", PROCESSES)
def test_each_role_has_exactly_the_grants_it_needs(role_urls: dict[str, str], process: str) -> None:
    role = make_url(role_urls[process]).username
    assert role is not None
    tables, columns, sequences = _actual_grants(role_urls["owner"], role)
    assert tables == EXPECTED_TABLE_GRANTS[process]
    assert columns == EXPECTED_COLUMN_GRANTS[process]
    if process == "console":
        # The console creates rows in many tables; it may use every sequence.
        owner = create_engine(role_urls["owner"])
        with owner.connect() as connection:
            all_sequences = set(
                connection.execute(
                    text(
                        "SELECT sequence_name FROM information_schema.sequences"
                        " WHERE sequence_schema = 'public'"
                    )
                ).scalars()
            )
        owner.dispose()
        assert sequences == all_sequences
        assert sequences  # there are sequences to compare
    else:
        assert sequences == EXPECTED_SEQUENCES[process]


def test_every_table_has_a_decided_place_in_the_grants() -> None:
    """A migration that adds a table without a line in roles.sql leaves the
    console unable to use it in production (and only there): so the
    expected matrix must name every table, and the console works with all
    but the hotline's and the staff notices' own bookkeeping."""
    import utvag.store.models  # noqa: F401 - registers every table on Base.metadata
    from utvag.store.db import Base

    console_never = {"answered_calls"}  # the intake writes, the worker purges
    worker_only = {"notice_rounds", "staff_notices"}  # the worker decides, sends, forgets
    assert set(Base.metadata.tables) - console_never - worker_only == set(
        EXPECTED_TABLE_GRANTS["console"]
    )
    assert console_never <= set(EXPECTED_TABLE_GRANTS["intake"])
    assert worker_only <= set(EXPECTED_TABLE_GRANTS["worker"])


@pytest.mark.usefixtures("during_office_hours")
def test_the_console_role_records_a_case_path(
    role_urls: dict[str, str], tmp_path: Path, redis_url: str, redis_client: redis.Redis
) -> None:
    """The social services' decision, avhopparmedel and a referral out, under
    the console's own role."""
    from support import TEST_PASSWORD, TeamFixture, sealed_submission

    from triage import create_app as create_console
    from utvag.repo.contacts import create_contact
    from utvag.repo.team_setup import create_team
    from utvag.store.db import transaction
    from utvag.store.models import Case, ContactStatus

    keys = make_console_keys(tmp_path / "var")[0]
    owner = make_engine(role_urls["owner"])
    with transaction(make_session_factory(owner)) as session:
        created = create_team(
            session,
            slug="kc-path",
            name="Kunskapscentrum",
            admin_username="karin",
            admin_password=TEST_PASSWORD,
            hours_spec="mon-fri 08:00-16:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=keys,
            checklist_preset="kunskapscentrum",
        )
        contact, _ = create_contact(session, created.team, sealed_submission())
        contact.status = ContactStatus.CASE_OPENED.value
        case = Case(team_id=created.team.id, contact_id=contact.id)
        session.add(case)
        session.flush()
        case_id, admin_id = case.id, created.admin.id
    owner.dispose()
    team = TeamFixture(created=created, password=TEST_PASSWORD, keys=keys)

    console = create_console(
        _config(tmp_path, role_urls["console"], redis_url), redis_client=redis_client
    )
    staff = console.test_client()
    assert log_in(staff, team).status_code == 302
    token = csrf_token_from(staff.get("/queue").get_data(as_text=True))
    today = "2026-11-24"
    for path, data in [
        (f"/admin/members/{admin_id}/decider", {"decider": "1"}),
        (f"/cases/{case_id}/investigation", {"opened_on": today, "opened_by": str(admin_id)}),
        (
            f"/cases/{case_id}/decision",
            {"outcome": "granted", "decided_on": today, "reason": "skäl", "confirm": "yes"},
        ),
        (
            f"/cases/{case_id}/accept",
            {"contact_person": str(admin_id), "mapping_due_on": "2026-12-15", "confirm": "yes"},
        ),
        (f"/cases/{case_id}/funds", {"applied_on": today, "amount": "12 000", "note": "hyra"}),
        (
            f"/cases/{case_id}/funds/1/answer",
            {"outcome": "granted", "decided_on": today, "amount": "10000"},
        ),
        (
            f"/cases/{case_id}/refer-out",
            {"kind": "sig", "referred_on": today, "consent": "yes", "confirm": "yes"},
        ),
    ]:
        assert staff.post(path, data={"csrf_token": token, **data}).status_code == 302, path
    assert staff.get(f"/cases/{case_id}").status_code == 200
    assert staff.get("/admin/members").status_code == 200
    assert staff.get("/reports/followup").status_code == 200
    console.extensions["utvag"].engine.dispose()

    check = create_engine(role_urls["owner"])
    with check.connect() as connection:
        status = connection.execute(
            text("SELECT status FROM cases WHERE id = :id"), {"id": case_id}
        ).scalar()
        outcome = connection.execute(
            text("SELECT outcome FROM case_investigations WHERE case_id = :id"), {"id": case_id}
        ).scalar()
        granted = connection.execute(
            text("SELECT amount_granted_kr FROM case_funds_applications WHERE case_id = :id"),
            {"id": case_id},
        ).scalar()
        referred = connection.execute(
            text("SELECT kind FROM outside_referrals WHERE case_id = :id"), {"id": case_id}
        ).scalar()
    check.dispose()
    assert (status, outcome, granted, referred) == ("accepted", "granted", 10000, "sig")
