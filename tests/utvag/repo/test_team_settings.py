"""A team's closures and extra open days: bad input is refused with its
reason and nothing is stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from support import TeamFixture

from utvag.repo.team_settings import add_closure, add_extra_open_day
from utvag.repo.teams import TeamError, TeamProblem, calendar_for
from utvag.store.db import transaction
from utvag.store.models import ClosedDay, ExtraOpenDay, Team

Factory = sessionmaker[Session]
# Monday 30 November 2026, 09:00 in Stockholm.
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _rows(session_factory: Factory) -> tuple[int, int]:
    with session_factory() as session:
        closures = session.scalar(select(func.count()).select_from(ClosedDay))
        open_days = session.scalar(select(func.count()).select_from(ExtraOpenDay))
        return int(closures or 0), int(open_days or 0)


def _closure(
    session_factory: Factory,
    team: TeamFixture,
    first: date,
    last: date | None,
    reason: str = "personalbrist",
    note: str = "",
) -> None:
    with transaction(session_factory) as session:
        add_closure(
            session, session.get(Team, team.created.team.id), first, last, reason, note, now=NOW
        )


def _open_day(
    session_factory: Factory, team: TeamFixture, day: date, opens: time, closes: time
) -> None:
    with transaction(session_factory) as session:
        add_extra_open_day(
            session, session.get(Team, team.created.team.id), day, opens, closes, now=NOW
        )


def test_a_closure_and_an_extra_open_day_reach_the_teams_calendar(
    session_factory: Factory, team: TeamFixture
) -> None:
    _closure(session_factory, team, date(2026, 12, 1), date(2026, 12, 3), "utbildningsdag")
    _open_day(session_factory, team, date(2026, 12, 5), time(10), time(14))
    with session_factory() as session:
        calendar = calendar_for(session, session.get(Team, team.created.team.id))
        closure = session.scalars(select(ClosedDay)).one()
    assert (closure.reason, closure.day, closure.last_day) == (
        "utbildningsdag",
        date(2026, 12, 1),
        date(2026, 12, 3),
    )
    # Monday evening: Tuesday to Thursday closed, Friday 08:00 open.
    assert calendar.next_open(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == datetime(
        2026, 12, 4, 7, 0, tzinfo=UTC
    )
    assert calendar.is_open(datetime(2026, 12, 5, 9, 30, tzinfo=UTC))


def test_today_may_be_closed_but_not_a_day_that_has_passed(
    session_factory: Factory, team: TeamFixture
) -> None:
    with pytest.raises(TeamError) as refused:
        _closure(session_factory, team, date(2026, 11, 29), date(2026, 12, 1))
    assert refused.value.problem is TeamProblem.CLOSURE_IN_PAST
    assert _rows(session_factory) == (0, 0)
    _closure(session_factory, team, date(2026, 11, 30), None)
    assert _rows(session_factory) == (1, 0)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 12, 3), date(2026, 12, 3)),  # inside
        (date(2026, 11, 30), date(2026, 12, 1)),  # ends on its first day
        (date(2026, 12, 4), date(2026, 12, 10)),  # starts on its last day
        (date(2026, 11, 30), date(2026, 12, 31)),  # covers it
    ],
)
def test_a_closure_overlapping_another_is_refused(
    session_factory: Factory, team: TeamFixture, first: date, last: date
) -> None:
    _closure(session_factory, team, date(2026, 12, 1), date(2026, 12, 4))
    with pytest.raises(TeamError) as refused:
        _closure(session_factory, team, first, last)
    assert refused.value.problem is TeamProblem.CLOSURE_OVERLAPS
    assert _rows(session_factory) == (1, 0)


def test_closures_that_only_touch_are_both_kept(
    session_factory: Factory, team: TeamFixture
) -> None:
    _closure(session_factory, team, date(2026, 12, 1), date(2026, 12, 4))
    _closure(session_factory, team, date(2026, 12, 5), None)
    _closure(session_factory, team, date(2026, 11, 30), None)
    assert _rows(session_factory) == (3, 0)


@pytest.mark.parametrize(
    ("first", "last", "reason", "note", "problem"),
    [
        (date(2026, 12, 4), date(2026, 12, 1), "annat", "", TeamProblem.CLOSURE_BACKWARDS),
        (date(2026, 12, 1), date(2027, 3, 31), "annat", "", TeamProblem.CLOSURE_TOO_LONG),
        (date(2026, 12, 1), None, "semester", "", TeamProblem.BAD_CLOSURE_REASON),
        (date(2026, 12, 1), None, "annat", "x" * 81, TeamProblem.NOTE_TOO_LONG),
    ],
)
def test_a_bad_closure_is_refused_with_its_reason(
    session_factory: Factory,
    team: TeamFixture,
    first: date,
    last: date | None,
    reason: str,
    note: str,
    problem: TeamProblem,
) -> None:
    with pytest.raises(TeamError) as refused:
        _closure(session_factory, team, first, last, reason, note)
    assert refused.value.problem is problem
    assert _rows(session_factory) == (0, 0)


def test_an_extra_open_day_on_a_closed_day_is_refused_and_the_other_way_round(
    session_factory: Factory, team: TeamFixture
) -> None:
    _closure(session_factory, team, date(2026, 12, 1), date(2026, 12, 4))
    with pytest.raises(TeamError) as refused:
        _open_day(session_factory, team, date(2026, 12, 4), time(10), time(14))
    assert refused.value.problem is TeamProblem.OPEN_DAY_CLOSED
    _open_day(session_factory, team, date(2026, 12, 12), time(10), time(14))
    with pytest.raises(TeamError) as covered:
        _closure(session_factory, team, date(2026, 12, 10), date(2026, 12, 14))
    assert covered.value.problem is TeamProblem.CLOSURE_HAS_OPEN_DAY
    assert _rows(session_factory) == (1, 1)


@pytest.mark.parametrize(
    ("day", "opens", "closes", "problem"),
    [
        (date(2026, 12, 5), time(14), time(10), TeamProblem.OPEN_DAY_HOURS),
        (date(2026, 12, 5), time(10), time(10), TeamProblem.OPEN_DAY_HOURS),
        (date(2026, 11, 28), time(10), time(14), TeamProblem.OPEN_DAY_IN_PAST),
    ],
)
def test_a_bad_extra_open_day_is_refused(
    session_factory: Factory,
    team: TeamFixture,
    day: date,
    opens: time,
    closes: time,
    problem: TeamProblem,
) -> None:
    with pytest.raises(TeamError) as refused:
        _open_day(session_factory, team, day, opens, closes)
    assert refused.value.problem is problem
    assert _rows(session_factory) == (0, 0)


def test_the_same_extra_open_day_twice_is_refused(
    session_factory: Factory, team: TeamFixture
) -> None:
    _open_day(session_factory, team, date(2026, 12, 5), time(10), time(14))
    with pytest.raises(TeamError) as refused:
        _open_day(session_factory, team, date(2026, 12, 5), time(9), time(12))
    assert refused.value.problem is TeamProblem.OPEN_DAY_TWICE
    assert _rows(session_factory) == (0, 1)
