"""Follow-up after the case: partner meetings, outcome checks and which are due."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from support import TeamFixture, sealed_submission

from utvag.repo import case_followup
from utvag.repo.case_followup import FollowupError, FollowupProblem, add_months
from utvag.repo.contacts import create_contact
from utvag.store.db import transaction
from utvag.store.models import (
    Answer,
    Case,
    CaseStatus,
    ContactStatus,
    OutcomeCheck,
    PartnerMeetingOutcome,
    StaffMember,
    Team,
)

NOW = datetime.fromisoformat("2026-11-24T10:00:00+01:00")
TODAY = NOW.date()
ALL_YES = dict.fromkeys(case_followup.OUTCOME_QUESTIONS, Answer.YES)


def closed_case(
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    *,
    came: datetime,
    closed_on: date | None,
) -> int:
    """A contact that came at ``came`` and became a case, closed on ``closed_on``
    (or still accepted when None)."""
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session, session.get(Team, team.created.team.id), sealed_submission(), now=came
        )
        contact.status = ContactStatus.CASE_OPENED.value
        case = Case(
            team_id=contact.team_id,
            contact_id=contact.id,
            opened_at=came + timedelta(days=2),
            status=CaseStatus.CLOSED.value if closed_on else CaseStatus.ACCEPTED.value,
            decided_at=came + timedelta(days=10),
            closed_on=closed_on,
            close_reason="established" if closed_on else None,
            ended_at=datetime.combine(closed_on, datetime.min.time(), NOW.tzinfo)
            if closed_on
            else None,
        )
        session.add(case)
        session.flush()
        return case.id


def _member(session) -> StaffMember:  # type: ignore[no-untyped-def]
    return session.query(StaffMember).first()


def test_months_after_keep_the_day_or_the_months_last(team) -> None:  # type: ignore[no-untyped-def]
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2024, 11, 24), 24) == date(2026, 11, 24)
    assert add_months(date(2026, 5, 10), 12) == date(2027, 5, 10)


def test_a_partner_meeting_refuses_a_day_before_the_contact_or_in_the_future(
    session_factory, team
) -> None:  # type: ignore[no-untyped-def]
    case_id = closed_case(
        session_factory, team, came=NOW - timedelta(days=100), closed_on=TODAY - timedelta(days=5)
    )
    came = (NOW - timedelta(days=100)).date()
    for day, problem in [
        (came - timedelta(days=1), FollowupProblem.DATE_BEFORE_CONTACT),
        (TODAY + timedelta(days=1), FollowupProblem.DATE_IN_FUTURE),
    ]:
        with transaction(session_factory) as session, pytest.raises(FollowupError) as refused:
            case_followup.add_partner_meeting(
                session,
                session.get(Case, case_id),
                held_on=day,
                roles=["police"],
                outcome=PartnerMeetingOutcome.PLAN_CONTINUES,
                sealed_notes=None,
                member=_member(session),
                today=TODAY,
            )
        assert refused.value.problem is problem
    with transaction(session_factory) as session:
        for roles, problem in [
            ([], FollowupProblem.NO_ROLE),
            (["mayor"], FollowupProblem.UNKNOWN_ROLE),
        ]:
            with pytest.raises(FollowupError) as refused:
                case_followup.add_partner_meeting(
                    session,
                    session.get(Case, case_id),
                    held_on=TODAY,
                    roles=roles,
                    outcome=PartnerMeetingOutcome.OTHER,
                    sealed_notes=None,
                    member=_member(session),
                    today=TODAY,
                )
            assert refused.value.problem is problem
        meeting = case_followup.add_partner_meeting(
            session,
            session.get(Case, case_id),
            held_on=came,
            roles=["programme", "police", "social_services", "police"],
            outcome=PartnerMeetingOutcome.PLAN_CHANGED,
            sealed_notes=b"US sealed",
            member=_member(session),
            today=TODAY,
        )
        assert meeting.roles == ["police", "social_services", "programme"]
    with session_factory() as session:
        assert [m.outcome for m in case_followup.partner_meetings_of(session, case_id)] == [
            "plan_changed"
        ]


def test_an_outcome_check_needs_a_closed_case_a_day_after_closing_and_is_recorded_once(
    session_factory, team
) -> None:  # type: ignore[no-untyped-def]
    closed_on = TODAY - timedelta(days=200)
    case_id = closed_case(
        session_factory, team, came=NOW - timedelta(days=400), closed_on=closed_on
    )
    open_id = closed_case(session_factory, team, came=NOW - timedelta(days=400), closed_on=None)

    def record(case: int, months: int, day: date) -> OutcomeCheck:
        with transaction(session_factory) as session:
            return case_followup.add_outcome_check(
                session,
                session.get(Case, case),
                months=months,
                checked_on=day,
                answers=ALL_YES,
                member=_member(session),
                today=TODAY,
            )

    for case, months, day, problem in [
        (open_id, 6, TODAY, FollowupProblem.NOT_CLOSED),
        (case_id, 7, TODAY, FollowupProblem.NO_SUCH_CHECK),
        (case_id, 6, closed_on - timedelta(days=1), FollowupProblem.DATE_BEFORE_CLOSE),
        (case_id, 6, TODAY + timedelta(days=1), FollowupProblem.DATE_IN_FUTURE),
    ]:
        with pytest.raises(FollowupError) as refused:
            record(case, months, day)
        assert refused.value.problem is problem
    record(case_id, 6, TODAY)
    with pytest.raises(FollowupError) as refused:
        record(case_id, 6, TODAY)
    assert refused.value.problem is FollowupProblem.ALREADY_CHECKED
    with session_factory() as session:
        assert [c.months for c in case_followup.outcome_checks_of(session, case_id)] == [6]


def test_due_checks_come_at_6_12_and_24_months_and_go_when_recorded(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    long_ago = closed_case(
        session_factory, team, came=NOW - timedelta(days=1000), closed_on=date(2024, 11, 24)
    )
    half_year = closed_case(
        session_factory, team, came=NOW - timedelta(days=300), closed_on=date(2026, 5, 24)
    )
    closed_case(session_factory, team, came=NOW - timedelta(days=300), closed_on=date(2026, 5, 25))
    closed_case(session_factory, team, came=NOW - timedelta(days=300), closed_on=None)
    team_id = team.created.team.id
    with session_factory() as session:
        due = case_followup.due_checks(session, team_id, TODAY)
    assert [(d.case_id, d.months) for d in due] == [
        (long_ago, 6),
        (long_ago, 12),
        (long_ago, 24),
        (half_year, 6),
    ]
    assert case_followup.due_counts(due) == {6: 2, 12: 1, 24: 1}
    with transaction(session_factory) as session:
        case_followup.add_outcome_check(
            session,
            session.get(Case, long_ago),
            months=12,
            checked_on=TODAY,
            answers=ALL_YES,
            member=_member(session),
            today=TODAY,
        )
    with session_factory() as session:
        due = case_followup.due_checks(session, team_id, TODAY)
        assert case_followup.due_counts(due) == {6: 2, 12: 0, 24: 1}
        assert case_followup.due_checks(session, team_id + 1000, TODAY) == []
