"""Two hand-overs of one contact cannot interleave: the first locks the
contact and its case until it commits, and the second then finds the
contact gone from the team (PostgreSQL; SQLite holds its write lock for the
whole transaction anyway)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from support import TeamFixture, sealed_submission

from utvag.repo.contacts import create_contact
from utvag.repo.handover import contact_to_hand_over
from utvag.store.db import transaction
from utvag.store.models import Case, Contact, Team

# What another transaction would wait for: the contact's row, its case's row.
LOCK_ONE = {
    "contacts": text("SELECT 1 FROM contacts WHERE id = :id FOR UPDATE"),
    "cases": text("SELECT 1 FROM cases WHERE contact_id = :id FOR UPDATE"),
}


def test_a_contact_being_handed_over_is_locked_until_the_hand_over_ends(
    team: TeamFixture, session_factory: Any, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL (SQLite locks the whole database)")
    team_id = team.created.team.id
    with transaction(session_factory) as session:
        contact, _ = create_contact(session, session.get_one(Team, team_id), sealed_submission())
        session.add(Case(team_id=team_id, contact_id=contact.id))
        contact_id = contact.id
    with transaction(session_factory) as first:
        assert contact_to_hand_over(first, team_id, contact_id) is not None
        for table in (Contact.__tablename__, Case.__tablename__):
            with session_factory() as second, second.begin():
                second.execute(text("SET LOCAL lock_timeout = '200ms'"))
                with pytest.raises(OperationalError, match="lock timeout"):
                    second.execute(LOCK_ONE[table], {"id": contact_id})
