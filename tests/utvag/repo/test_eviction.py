"""The full unverified list loses its oldest junk, never a person's effort,
and never silently."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from support import TeamFixture, create_malmo, sealed_submission

from utvag.repo import eviction
from utvag.repo import queue as queue_repo
from utvag.repo.contacts import create_contact
from utvag.repo.messages import add_follow_up
from utvag.repo.retention import purge_expired
from utvag.reports import followup
from utvag.store.db import transaction
from utvag.store.models import AuditEvent, Contact, ContactMessage, ContactStatus, Team

NOW = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def _kept(
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    *,
    status: ContactStatus = ContactStatus.UNVERIFIED,
    waited: bool = False,
    minutes_ago: int = 0,
) -> int:
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session,
            session.get(Team, team.created.team.id),
            sealed_submission(status=status, waited=waited),
            now=NOW - timedelta(minutes=minutes_ago),
        )
        add_follow_up(session, contact, b"sealed follow-up")
        return contact.id


def _evict(session_factory) -> int:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        return eviction.evict_oldest(session, NOW)


def _status(session_factory, contact_id: int) -> str:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.get_one(Contact, contact_id).status


def test_past_the_cap_the_oldest_junk_goes_first_and_nothing_a_person_waited_for(
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(eviction, "UNVERIFIED_CAP", 2)
    waited_oldest = _kept(session_factory, team, waited=True, minutes_ago=60)
    junk = [_kept(session_factory, team, minutes_ago=50 - n) for n in range(4)]
    queued = _kept(session_factory, team, status=ContactStatus.RECEIVED, minutes_ago=70)

    assert _evict(session_factory) == 2

    assert [_status(session_factory, i) for i in junk] == [
        "evicted",
        "evicted",
        "unverified",
        "unverified",
    ]
    assert _status(session_factory, waited_oldest) == "unverified"
    assert _status(session_factory, queued) == "received"
    with session_factory() as session:
        gone = session.get_one(Contact, junk[0])
        assert gone.sealed_content == b""
        assert gone.reply_public_key is None
        assert gone.receipt_digest is not None  # to tell the person, until retention
        assert gone.queue_due_at is None
        # Out of every list staff work from, the closed one included.
        assert junk[0] not in [c.id for c in queue_repo.closed(session, team.created.team.id)]
        assert junk[0] not in [c.id for c in queue_repo.unverified(session, team.created.team.id)]
        left = session.scalars(select(ContactMessage.contact_id)).all()
        assert junk[0] not in left
        assert junk[2] in left
        [audit] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "unverified_evicted")
        )
        recent = eviction.recent_evictions(session, team.created.team.id, NOW)
    assert audit.details["count"] == 2
    assert audit.team_id == team.created.team.id
    assert recent.count == 2
    assert recent.last_at == NOW
    assert _evict(session_factory) == 0  # nothing more past the cap: no second row


def test_only_the_team_over_its_cap_loses_anything(
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(eviction, "UNVERIFIED_CAP", 1)
    other = create_malmo(session_factory, team.keys)
    mine = [_kept(session_factory, team, minutes_ago=10 - n) for n in range(3)]
    theirs = _kept(session_factory, other)
    assert _evict(session_factory) == 2
    assert _status(session_factory, theirs) == "unverified"
    assert [_status(session_factory, i) for i in mine] == ["evicted", "evicted", "unverified"]


def test_a_contact_moved_into_the_queue_is_not_evicted(
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(eviction, "UNVERIFIED_CAP", 0)
    accepted = _kept(session_factory, team, minutes_ago=5)
    with transaction(session_factory) as session:
        session.get_one(Contact, accepted).status = ContactStatus.RECEIVED.value
    assert _evict(session_factory) == 0
    assert _status(session_factory, accepted) == "received"


def test_retention_forgets_an_evicted_receipt_and_the_board_never_counts_it(
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(eviction, "UNVERIFIED_CAP", 0)
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session,
            session.get(Team, team.created.team.id),
            sealed_submission(status=ContactStatus.UNVERIFIED),
            now=NOW - timedelta(days=400),
        )
        evicted_id = contact.id
    _evict(session_factory)
    with transaction(session_factory) as session:
        purge_expired(session, NOW)
    with session_factory() as session:
        assert session.get_one(Contact, evicted_id).receipt_digest is None
        evicted = session.scalar(
            select(func.count()).select_from(Contact).where(Contact.status == "evicted")
        )
        the_team = session.get_one(Team, team.created.team.id)
        report = followup.build(session, the_team, 2025, NOW.date())
    assert evicted == 1
    assert report.cell("contacts_received", 2025).value == 0
