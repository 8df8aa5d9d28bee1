"""The queue stays usable when a flood fills it: counts first, a page at a
time, junk dismissed in bulk (after a confirmation, unopened, audited)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, text
from support import TeamFixture, create_malmo, csrf_token_from, sealed_submission

from utvag.repo import queue as queue_repo
from utvag.repo.contacts import SealedSubmission, create_contact
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Contact, ContactStatus, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")

NOW = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def _contacts(session_factory, team: TeamFixture, count: int, **fields: object) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    with transaction(session_factory) as session:
        the_team = session.get(Team, team.created.team.id)
        for number in range(count):
            contact, _ = create_contact(
                session,
                the_team,
                SealedSubmission(
                    kind="defector",
                    channel="web",
                    wants_callback=bool(fields.get("wants_callback", True)),
                    callback_window=None,
                    key_id="k" * 16,
                    sealed_content=b"sealed",
                    receipt_digest=f"{fields.get('tag', 'x')}-{number}-".ljust(64, "0"),
                    reply_public_key=b"r" * 32,
                ),
                now=NOW - timedelta(minutes=count - number),
            )
            if "status" in fields:
                contact.status = str(fields["status"])
            ids.append(contact.id)
    return ids


def _listed(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'href="/contacts/(\d+)"', page)]


def test_the_queue_pages_through_every_open_contact_once_in_due_order(
    logged_in_staff: FlaskClient,
    session_factory,
    team: TeamFixture,  # type: ignore[no-untyped-def]
) -> None:
    to_call = _contacts(session_factory, team, queue_repo.PAGE_SIZE * 2 + 7)
    _contacts(session_factory, team, 3, wants_callback=False, tag="m")
    _contacts(session_factory, team, 4, status=ContactStatus.CLOSED.value, tag="c")

    seen: list[int] = []
    url = "/queue"
    pages = 0
    while url:
        page = logged_in_staff.get(url).get_data(as_text=True)
        listed = _listed(page)
        assert len(listed) <= queue_repo.PAGE_SIZE
        seen += listed
        pages += 1
        match = re.search(r'href="([^"]+)" rel="next"', page)
        url = match.group(1).replace("&amp;", "&") if match else ""
    assert pages == 3
    assert seen == to_call  # each once, the one due first on top

    first = logged_in_staff.get("/queue").get_data(as_text=True)
    assert f"{len(to_call)}</span>" in first  # the count comes first
    messages = logged_in_staff.get("/queue?view=messages").get_data(as_text=True)
    assert len(_listed(messages)) == 3


def test_a_made_up_cursor_starts_from_the_top(logged_in_staff: FlaskClient) -> None:
    for cursor in ["x", "1-", "-1", "99999999999999999999999-1", "12-ab"]:
        assert logged_in_staff.get(f"/queue?after={cursor}").status_code == 200


def test_junk_is_dismissed_in_bulk_after_a_confirmation_unopened_and_audited(
    logged_in_staff: FlaskClient,
    session_factory,
    team: TeamFixture,  # type: ignore[no-untyped-def]
) -> None:
    flood = _contacts(session_factory, team, 5)
    keep = _contacts(session_factory, team, 1, tag="k")[0]
    page = logged_in_staff.get("/queue").get_data(as_text=True)
    token = csrf_token_from(page)
    chosen = {"csrf_token": token, "contact": [str(i) for i in flood], "back": "/queue"}

    asked = logged_in_staff.post("/queue/junk", data=chosen)
    assert asked.status_code == 200
    assert "Ja, avfärda som skräp" in asked.get_data(as_text=True)
    with session_factory() as session:  # asking changed nothing
        assert session.get(Contact, flood[0]).status == ContactStatus.RECEIVED.value

    done = logged_in_staff.post("/queue/junk", data={**chosen, "confirm": "yes"})
    assert done.status_code == 302
    with session_factory() as session:
        statuses = {contact.id: contact.status for contact in session.scalars(select(Contact))}
        actions = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert {statuses[i] for i in flood} == {ContactStatus.JUNK.value}
    assert statuses[keep] == ContactStatus.RECEIVED.value
    junk_events = [event for event in actions if event.action == "junk_dismissed"]
    assert len(junk_events) == 1
    assert junk_events[0].details["contacts"] == flood
    assert not any(event.action == "decrypt" for event in actions)  # nothing was opened
    assert _listed(logged_in_staff.get("/queue").get_data(as_text=True)) == [keep]


def test_another_teams_contacts_cannot_be_dismissed(
    logged_in_staff: FlaskClient,
    session_factory,
    team: TeamFixture,  # type: ignore[no-untyped-def]
) -> None:
    other = create_malmo(session_factory, team.keys).created
    with transaction(session_factory) as session:
        theirs, _ = create_contact(
            session, session.get(Team, other.team.id), sealed_submission(wants_callback=True)
        )
        their_id = theirs.id
    token = csrf_token_from(logged_in_staff.get("/queue").get_data(as_text=True))
    logged_in_staff.post(
        "/queue/junk", data={"csrf_token": token, "contact": str(their_id), "confirm": "yes"}
    )
    with session_factory() as session:
        assert session.get(Contact, their_id).status == ContactStatus.RECEIVED.value
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "junk_dismissed")
            )
            == 0
        )


def test_unverified_submissions_wait_outside_the_queue_until_moved_in(
    logged_in_staff: FlaskClient,
    session_factory,
    team: TeamFixture,  # type: ignore[no-untyped-def]
) -> None:
    kept = _contacts(session_factory, team, 3, status=ContactStatus.UNVERIFIED.value, tag="u")
    assert _listed(logged_in_staff.get("/queue").get_data(as_text=True)) == []
    waiting = logged_in_staff.get("/queue?view=unverified").get_data(as_text=True)
    assert sorted(_listed(waiting)) == kept
    token = csrf_token_from(waiting)
    logged_in_staff.post("/queue/accept", data={"csrf_token": token, "contact": str(kept[0])})
    assert _listed(logged_in_staff.get("/queue").get_data(as_text=True)) == [kept[0]]
    with session_factory() as session:
        assert "unverified_accepted" in session.scalars(select(AuditEvent.action)).all()


def test_overdue_is_said_only_an_hour_past_the_due_time(
    logged_in_staff: FlaskClient,
    session_factory,
    team: TeamFixture,
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    _contacts(session_factory, team, 1)
    time_machine.move_to(NOW + timedelta(minutes=30), tick=False)
    assert "försenad" not in logged_in_staff.get("/queue").get_data(as_text=True)
    time_machine.move_to(NOW + timedelta(minutes=50), tick=False)
    assert "försenad" not in logged_in_staff.get("/queue").get_data(as_text=True)
    time_machine.move_to(NOW + timedelta(hours=1, minutes=1), tick=False)  # due at NOW - 1 min
    assert "försenad" in logged_in_staff.get("/queue").get_data(as_text=True)


def _plan(engine: Engine, sql: str, params: dict[str, object]) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params).all()
            return "\n".join(str(row[-1]) for row in rows)
        connection.execute(text("SET enable_seqscan = off"))
        rows = connection.execute(text(f"EXPLAIN {sql}"), params).all()
        return "\n".join(str(row[0]) for row in rows)


@pytest.mark.parametrize("to_call", [True, False])
def test_a_queue_page_is_one_index_range_without_a_sort(engine: Engine, to_call: bool) -> None:
    """The page query, as the console sends it, is answered by
    ix_contacts_queue alone, in order (PostgreSQL with sequential scans off,
    as a table of a few rows would otherwise be scanned whole)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = sqlite.dialect() if engine.dialect.name == "sqlite" else postgresql.dialect()
    after = queue_repo.Cursor(NOW, 10)
    for query in (
        queue_repo.page_query(1, to_call),
        queue_repo.page_query(1, to_call, after),
    ):
        sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        plan = _plan(engine, sql, {})
        assert "ix_contacts_queue" in plan, plan
        assert "TEMP B-TREE" not in plan.upper(), plan  # SQLite: no sort step
        assert "Sort" not in plan, plan  # PostgreSQL: no sort node


def test_counts_stop_at_the_cap_and_say_so(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queue_repo, "COUNT_CAP", 3)
    _contacts(session_factory, team, 5)
    page = logged_in_staff.get("/queue").get_data(as_text=True)
    assert "fler än 3" in page
    with session_factory() as session:
        summary = queue_repo.summary(session, team.created.team.id, NOW + timedelta(hours=2))
    assert (summary.to_call, summary.due_now, summary.overdue) == (4, 4, 4)  # cap + 1
