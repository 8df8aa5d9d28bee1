"""The public site keeps its team's key and calendar between submissions, and
a rotated key, a new closed day or changed hours count from the next one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from support import TeamFixture

from intake_web.team_facts import FRESH_FOR, TeamFactsCache
from utvag.repo.staff import rotate_team_key
from utvag.repo.team_settings import add_closure
from utvag.store.db import transaction
from utvag.store.models import Team


def test_a_new_key_a_closed_day_and_new_hours_count_from_the_next_submission(
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    now = [1000.0]
    cache = TeamFactsCache(clock=lambda: now[0])
    with session_factory() as session:
        first = cache.get(session, session.get(Team, team.created.team.id))
    with session_factory() as session:
        assert cache.get(session, session.get(Team, team.created.team.id)) is first
    with transaction(session_factory) as session:
        rotate_team_key(session, session.get(Team, team.created.team.id), team.keys)
    with session_factory() as session:
        rotated = cache.get(session, session.get(Team, team.created.team.id))
    assert rotated.key_id != first.key_id
    with transaction(session_factory) as session:
        add_closure(
            session,
            session.get(Team, team.created.team.id),
            date(2026, 12, 1),
            None,
            "annat",
            "",
            now=datetime(2026, 11, 30, tzinfo=UTC),
        )
    with session_factory() as session:
        fresh = cache.get(session, session.get(Team, team.created.team.id))
    assert fresh.calendar.is_day_off(date(2026, 12, 1))
    with session_factory() as session:
        assert cache.get(session, session.get(Team, team.created.team.id)) is fresh
    now[0] += FRESH_FOR
    with session_factory() as session:
        assert cache.get(session, session.get(Team, team.created.team.id)) is not fresh

    with transaction(session_factory) as session:
        session.get(Team, team.created.team.id).hours_spec = "mon-fri 09:00-15:00"
    with session_factory() as session:
        changed = cache.get(session, session.get(Team, team.created.team.id))
    assert changed is not fresh
