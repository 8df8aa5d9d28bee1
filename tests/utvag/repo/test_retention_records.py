"""Retention a board and an auditor can follow: each purge leaves a record
with no id and nothing sealed, the lead sees a week ahead which cases go,
and a reasoned "keep longer" holds a case until the day after it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from support import TeamFixture, sealed_submission

from utvag.repo.contacts import create_contact
from utvag.repo.retention import (
    GoingCase,
    RetentionError,
    RetentionProblem,
    cases_going,
    keep_longer,
    purge_expired,
    records_for,
)
from utvag.store.db import transaction
from utvag.store.models import (
    Case,
    Contact,
    ContactStatus,
    RetentionExtension,
    RetentionRecord,
    StaffMember,
    Team,
)

NOW = datetime.fromisoformat("2026-11-24T10:00:00+01:00")
TODAY = NOW.date()
CAME = datetime.fromisoformat("2026-01-05T10:00:00+01:00")


def _contact(session_factory, team: TeamFixture, status: ContactStatus) -> int:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session, session.get(Team, team.created.team.id), sealed_submission(), now=CAME
        )
        contact.status = status.value
        return contact.id


def _ended_case(session_factory, team: TeamFixture, ended_days_ago: float) -> int:  # type: ignore[no-untyped-def]
    contact_id = _contact(session_factory, team, ContactStatus.CASE_OPENED)
    with transaction(session_factory) as session:
        case = Case(
            team_id=team.created.team.id,
            contact_id=contact_id,
            opened_at=CAME,
            status="closed",
            closed_on=(NOW - timedelta(days=ended_days_ago)).date(),
            close_reason="established",
            ended_at=NOW - timedelta(days=ended_days_ago),
            sealed_notes=b"US case notes",
        )
        session.add(case)
        session.flush()
        return case.id


def _keep(session_factory, case_id: int, until: date, reason: bytes | None = b"US why") -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        keep_longer(
            session,
            session.get(Case, case_id),
            keep_until=until,
            sealed_reason=reason,
            member=session.scalars(select(StaffMember)).first(),
            today=TODAY,
        )


def _going(session_factory, team: TeamFixture) -> list[GoingCase]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return cases_going(session, session.get(Team, team.created.team.id), NOW)


def test_a_purge_leaves_a_record_without_id_or_anything_sealed(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    closed = _contact(session_factory, team, ContactStatus.CLOSED)
    with transaction(session_factory) as session:
        session.get(Contact, closed).closed_at = NOW - timedelta(days=200)
    _ended_case(session_factory, team, 181)
    unverified = _contact(session_factory, team, ContactStatus.UNVERIFIED)
    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == 3
    # Nothing in the record could lead back to a person: no id of a contact
    # or a case, no binary column.
    columns = set(RetentionRecord.__table__.c.keys())
    assert columns == {
        "id",
        "team_id",
        "kind",
        "came_on",
        "ended_on",
        "purged_on",
        "rule",
        "retention_days",
        "kept_until",
    }
    with session_factory() as session:
        records = records_for(session, team.created.team.id)
        assert session.get(Contact, unverified).purged_at is not None
    seen = sorted((r.kind, r.rule, r.came_on, r.ended_on, r.purged_on) for r in records)
    assert seen == [
        ("case", "case_ended", date(2026, 1, 5), date(2026, 5, 27), TODAY),
        ("contact", "contact_closed", date(2026, 1, 5), date(2026, 5, 8), TODAY),
        ("unverified", "never_moved", date(2026, 1, 5), None, TODAY),
    ]
    assert {r.retention_days for r in records} == {180}
    with transaction(session_factory) as session:
        assert purge_expired(session, NOW + timedelta(hours=1)) == 0
    with session_factory() as session:
        assert len(records_for(session, team.created.team.id)) == 3


def test_the_lead_sees_a_week_ahead_and_keep_longer_holds_the_case_until_the_day_after(
    session_factory, team
) -> None:  # type: ignore[no-untyped-def]
    overdue = _ended_case(session_factory, team, 181)
    in_three_days = _ended_case(session_factory, team, 177)
    in_seven = _ended_case(session_factory, team, 173.1)
    _ended_case(session_factory, team, 160)  # in twenty days: not yet shown
    going = _going(session_factory, team)
    assert [(g.case_id, g.goes_on) for g in going] == [
        (overdue, TODAY - timedelta(days=1)),
        (in_three_days, TODAY + timedelta(days=3)),
        (in_seven, TODAY + timedelta(days=7)),
    ]

    _keep(session_factory, overdue, TODAY + timedelta(days=30))
    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == 0
        case = session.get(Case, overdue)
        assert session.get(Contact, case.contact_id).purged_at is None
        assert case.sealed_notes == b"US case notes"
    assert [g.case_id for g in _going(session_factory, team)] == [
        in_three_days,
        in_seven,
    ]
    # Still kept on the day it was kept until; gone the day after, with the
    # rule and the day it was kept until in the record and the reason emptied.
    with transaction(session_factory) as session:
        purge_expired(session, NOW + timedelta(days=30))
        assert session.get(Contact, session.get(Case, overdue).contact_id).purged_at is None
    with transaction(session_factory) as session:
        purge_expired(session, NOW + timedelta(days=31))
        assert session.get(Contact, session.get(Case, overdue).contact_id).purged_at is not None
        assert session.scalars(select(RetentionExtension.sealed_reason)).all() == [None]
        kept = session.scalars(
            select(RetentionRecord).where(RetentionRecord.rule == "case_kept_longer")
        ).one()
        assert kept.kept_until == TODAY + timedelta(days=30)


@pytest.mark.parametrize(
    ("until", "reason", "problem"),
    [
        (TODAY, b"US why", RetentionProblem.NOT_AFTER_TODAY),
        (TODAY + timedelta(days=366), b"US why", RetentionProblem.TOO_FAR),
        (TODAY + timedelta(days=10), None, RetentionProblem.NO_REASON),
    ],
)
def test_keep_longer_needs_a_day_ahead_within_a_year_and_a_reason(
    session_factory, team, until: date, reason: bytes | None, problem: RetentionProblem
) -> None:  # type: ignore[no-untyped-def]
    case_id = _ended_case(session_factory, team, 178)
    with pytest.raises(RetentionError) as refused:
        _keep(session_factory, case_id, until, reason)
    assert refused.value.problem is problem
    with session_factory() as session:
        assert session.scalars(select(RetentionExtension)).all() == []


def test_keep_longer_is_for_an_ended_case_not_yet_purged(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    case_id = _ended_case(session_factory, team, 181)
    with transaction(session_factory) as session:
        session.get(Case, case_id).ended_at = None
    with pytest.raises(RetentionError) as refused:
        _keep(session_factory, case_id, TODAY + timedelta(days=5))
    assert refused.value.problem is RetentionProblem.NOT_ENDED
    with transaction(session_factory) as session:
        session.get(Case, case_id).ended_at = NOW - timedelta(days=181)
        purge_expired(session, NOW)
    with pytest.raises(RetentionError) as refused:
        _keep(session_factory, case_id, TODAY + timedelta(days=5))
    assert refused.value.problem is RetentionProblem.ALREADY_PURGED
