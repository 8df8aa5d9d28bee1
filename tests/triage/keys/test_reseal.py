"""Re-sealing after a key change moves everything sealed to the team, and then
the old key can be destroyed without losing a thing.

The test walks the registry of sealed columns (``utvag.store.models.sealed``): it
seals a value into every column a team key opens, rotates, re-seals,
destroys the old key and opens every value with the new key alone. A column
that re-sealing skipped would still name the old key: the destruction is
refused and the test fails (and were it not refused, the value would not
open). A model added to the registry without a row made here fails too.
"""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from sealed_rows_support import seal_everywhere
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, post_form, team_keys

from crypto.opening import open_sealed
from crypto.receipts import open_reply, reply_keypair
from crypto.sealing import envelope_key_id
from utvag.store.db import Base, transaction
from utvag.store.models import (
    Case,
    Contact,
    ContactMessage,
    KeyWrap,
    TeamKey,
)
from utvag.store.models.sealed import SealedColumn, sealed_to_team

REPLY_CODE = "0123456789ABCDEF"


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _written(entry: SealedColumn) -> bytes:
    return json.dumps({"fields": {"note": f"{entry.name} före nyckelbytet"}}).encode()


def _seal_into_every_column(
    session_factory: Any, old: TeamKey
) -> tuple[dict[str, tuple[type[Base], int]], int]:
    """A value sealed to ``old`` in every registered column; and a reply for
    the person, sealed to their reply key, which must be left alone."""
    with transaction(session_factory) as session:
        contact = session.scalars(select(Contact)).one()
        case = Case(team_id=contact.team_id, contact_id=contact.id)
        session.add(case)
        session.flush()
        _, reply_public = reply_keypair(REPLY_CODE)
        return seal_everywhere(
            session, contact, case, sealed_to_team(), old, _written, reply_public
        )


def test_resealing_moves_every_registered_column_and_the_old_key_can_then_be_destroyed(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "före bytet"})
    with session_factory() as session:
        old = session.scalars(select(TeamKey)).one()
        old_id, old_row = old.key_id, old.id
    where, reply_id = _seal_into_every_column(session_factory, old)
    assert len(where) == len(sealed_to_team()) >= 12

    _post(logged_in_staff, "/admin/keys/rotate", {"confirm": "yes"})
    _post(logged_in_staff, "/admin/keys/reseal")
    destroyed = _post(logged_in_staff, f"/keys/{old_row}/destroy", {"confirm": "yes"})
    assert destroyed.status_code == 302
    assert "är förstörd" in logged_in_staff.get("/keys").get_data(as_text=True)

    # The old key is gone everywhere: its row says so, no grant is left, its lock is deleted.
    with session_factory() as session:
        assert session.scalars(select(TeamKey).where(TeamKey.key_id == old_id)).one().destroyed_at
        assert not session.scalars(select(KeyWrap).where(KeyWrap.team_key_id == old_row)).all()
        new = session.scalars(select(TeamKey).where(TeamKey.retired_at.is_(None))).one()
    assert team.keys.lock_secret(old_id) is None
    held = team_keys(session_factory, team)
    assert set(held) == {new.key_id}

    # Every registered column opens with the new key alone, to what was written.
    with session_factory() as session:
        for entry in sealed_to_team():
            model, row_id = where[entry.name]
            row = session.get(model, row_id)
            value = getattr(row, entry.column)
            assert envelope_key_id(value) == new.key_id, entry.name
            assert open_sealed(held, value) == _written(entry), entry.name
            if entry.key_id_column is not None:
                assert getattr(row, entry.key_id_column) == new.key_id, entry.name
        reply = session.get(ContactMessage, reply_id)
        assert reply is not None
        # The person's copy is sealed to their reply key: left as it was.
        assert open_reply(REPLY_CODE, reply.sealed_content) == b"till personen"
        assert reply.sealed_for_team is not None
        assert open_sealed(held, reply.sealed_for_team) == b"teamets kopia"


def test_a_key_that_still_seals_something_is_not_destroyed(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "före bytet"})
    with session_factory() as session:
        old = session.scalars(select(TeamKey)).one()
        old_id, old_row = old.key_id, old.id
    _post(logged_in_staff, "/admin/keys/rotate", {"confirm": "yes"})

    asked = _post(logged_in_staff, f"/keys/{old_row}/destroy")
    assert "Förstöra teamnyckeln" in asked.get_data(as_text=True)  # asks first, does nothing
    refused = _post(logged_in_staff, f"/keys/{old_row}/destroy", {"confirm": "yes"})
    page = logged_in_staff.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Något är fortfarande krypterat med den nyckeln" in page

    with session_factory() as session:
        assert (
            session.scalars(select(TeamKey).where(TeamKey.key_id == old_id)).one().destroyed_at
            is None
        )
        assert session.scalars(select(KeyWrap).where(KeyWrap.team_key_id == old_row)).all()
    assert team.keys.lock_secret(old_id) is not None
    assert "före bytet" in logged_in_staff.get("/contacts/1").get_data(as_text=True)

    with session_factory() as session:
        active = session.scalars(select(TeamKey).where(TeamKey.retired_at.is_(None))).one()
    in_use = _post(logged_in_staff, f"/keys/{active.id}/destroy", {"confirm": "yes"})
    assert in_use.status_code == 302
    assert team.keys.lock_secret(active.key_id) is not None
