"""Working the queue: leases, outcomes, re-slotting, closing — the rules, pinned."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from support import TeamFixture, add_member

from utvag.calendar.due import CallbackWindow
from utvag.repo import calls
from utvag.repo.calls import CallError, ClaimState
from utvag.repo.contacts import SealedSubmission, create_contact
from utvag.store.db import transaction
from utvag.store.models import CallOutcome, Contact, ContactStatus, OutboxEntry, StaffMember, Team

TUESDAY_10 = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def new_contact(session_factory, team: TeamFixture, *, window=CallbackWindow.ASAP, now=TUESDAY_10):  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        found = session.get(Team, team.created.team.id)
        contact, _ = create_contact(
            session,
            found,
            SealedSubmission(
                kind="defector",
                channel="web",
                wants_callback=True,
                callback_window=window,
                key_id="0" * 16,
                sealed_content=b"sealed",
                receipt_digest=None,
                reply_public_key=None,
            ),
            now=now,
        )
        return contact.id


def member(session_factory, name: str) -> StaffMember:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.scalars(select(StaffMember).where(StaffMember.username == name)).one()


def get(session_factory, contact_id: int) -> Contact:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.get(Contact, contact_id)


def log(session_factory, team, contact_id, who, outcome, now):  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        found = session.get(Team, team.created.team.id)
        assert calls.claim(session, found.id, contact_id, who, now).state is ClaimState.CLAIMED
        return calls.record_outcome(session, found, contact_id, who, outcome, now=now)


@pytest.fixture
def anna(team: TeamFixture, session_factory) -> StaffMember:  # type: ignore[no-untyped-def]
    return member(session_factory, "anna")


@pytest.fixture
def bo(team: TeamFixture, session_factory) -> StaffMember:  # type: ignore[no-untyped-def]
    add_member(session_factory, team, "bo", "coordinator")
    return member(session_factory, "bo")


def test_two_staff_never_hold_the_same_contact(session_factory, team, anna, bo) -> None:  # type: ignore[no-untyped-def]
    contact_id = new_contact(session_factory, team)
    team_id = team.created.team.id
    with transaction(session_factory) as session:
        first = calls.claim(session, team_id, contact_id, anna, TUESDAY_10)
    with transaction(session_factory) as session:
        second = calls.claim(session, team_id, contact_id, bo, TUESDAY_10 + timedelta(minutes=5))

    assert first.state is ClaimState.CLAIMED
    assert second.state is ClaimState.TAKEN
    assert second.holder_name == "anna"


def test_a_lease_lapses_when_the_claimer_walks_away(session_factory, team, anna, bo) -> None:  # type: ignore[no-untyped-def]
    contact_id = new_contact(session_factory, team)
    team_id = team.created.team.id
    with transaction(session_factory) as session:
        calls.claim(session, team_id, contact_id, anna, TUESDAY_10)
    later = TUESDAY_10 + calls.CLAIM_LEASE + timedelta(seconds=1)
    with transaction(session_factory) as session:
        assert calls.claim(session, team_id, contact_id, bo, later).state is ClaimState.CLAIMED
    assert get(session_factory, contact_id).claimed_by_id == bo.id


def test_only_the_claimer_may_log_the_call(session_factory, team, anna, bo) -> None:  # type: ignore[no-untyped-def]
    contact_id = new_contact(session_factory, team)
    with transaction(session_factory) as session:
        calls.claim(session, team.created.team.id, contact_id, anna, TUESDAY_10)
    with transaction(session_factory) as session:
        found = session.get(Team, team.created.team.id)
        with pytest.raises(CallError, match="take the call first"):
            calls.record_outcome(
                session, found, contact_id, bo, CallOutcome.REACHED, now=TUESDAY_10
            )


def test_no_answer_is_reslotted_with_backoff_then_closes_as_unreachable(
    session_factory, team, anna
) -> None:  # type: ignore[no-untyped-def]
    contact_id = new_contact(session_factory, team)

    first = log(session_factory, team, contact_id, anna, CallOutcome.NO_ANSWER, TUESDAY_10)
    assert first.next_due_at == TUESDAY_10 + timedelta(hours=1)
    assert get(session_factory, contact_id).status == ContactStatus.WAITING

    second = log(session_factory, team, contact_id, anna, CallOutcome.BUSY, first.next_due_at)
    assert second.next_due_at == datetime.fromisoformat("2026-11-24T14:00:00+01:00")

    third = log(session_factory, team, contact_id, anna, CallOutcome.NO_ANSWER, second.next_due_at)
    contact = get(session_factory, contact_id)
    assert third.next_due_at is None
    assert contact.status == ContactStatus.UNREACHABLE
    assert contact.closed_at is not None
    assert contact.attempt_count == 3


def test_reslotting_respects_hours_and_the_window(session_factory, team, anna) -> None:  # type: ignore[no-untyped-def]
    late = datetime.fromisoformat("2026-11-24T15:30:00+01:00")
    contact_id = new_contact(session_factory, team, window=CallbackWindow.MORNING, now=late)
    attempt = log(session_factory, team, contact_id, anna, CallOutcome.NO_ANSWER, late)
    assert attempt.next_due_at == datetime.fromisoformat("2026-11-25T08:00:00+01:00")


def test_not_safe_to_talk_is_tried_again_without_counting_against_the_limit(
    session_factory, team, anna
) -> None:  # type: ignore[no-untyped-def]
    contact_id = new_contact(session_factory, team)
    now = TUESDAY_10
    for _ in range(5):
        attempt = log(session_factory, team, contact_id, anna, CallOutcome.UNSAFE, now)
        now = attempt.next_due_at
    assert get(session_factory, contact_id).status == ContactStatus.WAITING
    assert get(session_factory, contact_id).attempt_count == 5


def test_the_limit_is_the_teams_own(session_factory, team, anna) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        session.get(Team, team.created.team.id).max_call_attempts = 1
    contact_id = new_contact(session_factory, team)
    log(session_factory, team, contact_id, anna, CallOutcome.NO_ANSWER, TUESDAY_10)
    assert get(session_factory, contact_id).status == ContactStatus.UNREACHABLE


def test_a_wrong_number_closes_the_contact(session_factory, team, anna) -> None:  # type: ignore[no-untyped-def]
    contact_id = new_contact(session_factory, team)
    log(session_factory, team, contact_id, anna, CallOutcome.WRONG_NUMBER, TUESDAY_10)
    assert get(session_factory, contact_id).status == ContactStatus.WRONG_NUMBER


def test_reached_ends_the_calling_and_releases_the_lease(session_factory, team, anna) -> None:  # type: ignore[no-untyped-def]
    contact_id = new_contact(session_factory, team)
    log(session_factory, team, contact_id, anna, CallOutcome.REACHED, TUESDAY_10)
    contact = get(session_factory, contact_id)
    assert contact.status == ContactStatus.REACHED
    assert contact.claimed_by_id is None
    with transaction(session_factory) as session:
        found = session.get(Team, team.created.team.id)
        calls.claim(session, found.id, contact_id, anna, TUESDAY_10)
        with pytest.raises(CallError, match="not waiting for a call"):
            calls.record_outcome(
                session, found, contact_id, anna, CallOutcome.REACHED, now=TUESDAY_10
            )


def test_a_reslotted_contact_gets_a_due_notice_at_its_new_time(session_factory, team, anna) -> None:  # type: ignore[no-untyped-def]
    contact_id = new_contact(session_factory, team)
    attempt = log(session_factory, team, contact_id, anna, CallOutcome.NO_ANSWER, TUESDAY_10)
    with session_factory() as session:
        scheduled = session.scalars(
            select(OutboxEntry.run_at).where(OutboxEntry.job_name == "notify_contact_due")
        ).all()
    assert attempt.next_due_at in scheduled


def test_two_claimers_at_once_one_wins(session_factory, team, anna, bo, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """Real concurrency: two threads, two connections, the same instant."""
    contact_id = new_contact(session_factory, team)
    team_id = team.created.team.id
    barrier = threading.Barrier(2)
    results: dict[str, ClaimState] = {}

    def race(who: StaffMember) -> None:
        barrier.wait()
        with transaction(session_factory) as session:
            results[who.username] = calls.claim(session, team_id, contact_id, who, TUESDAY_10).state

    for _ in range(20):
        with transaction(session_factory) as session:
            calls.release(session, team_id, contact_id, anna)
            calls.release(session, team_id, contact_id, bo)
        threads = [threading.Thread(target=race, args=(who,)) for who in (anna, bo)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results.values()) == [ClaimState.CLAIMED, ClaimState.TAKEN], results
        winner = next(name for name, state in results.items() if state is ClaimState.CLAIMED)
        holder = get(session_factory, contact_id).claimed_by_id
        assert holder == {"anna": anna.id, "bo": bo.id}[winner]
