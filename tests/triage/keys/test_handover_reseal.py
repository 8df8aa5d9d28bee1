"""A hand-over re-seals everything of the contact to the receiving team's key.

The test walks the registry of sealed columns (``utvag.store.models.sealed``):
it seals a value to the sending team's key into every column that belongs to
a contact, hands the contact over through the console, and then checks each
envelope names the receiving team's key, opens with the receiving team's
keys to what was written, and does not open with the sending team's keys. A
column the hand-over skipped would still name the sending key. A model added
to the registry without a row made here fails too. A value that cannot be
opened rolls the whole hand-over back: every envelope, row and audit line as
it was.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sealed_rows_support import seal_everywhere
from sqlalchemy import func, select
from support import TeamFixture, create_malmo, csrf_token_from, post_form, team_keys

from crypto.errors import CryptoError
from crypto.opening import open_sealed
from crypto.receipts import open_reply, reply_keypair
from crypto.sealing import envelope_key_id
from utvag.store.db import Base, transaction
from utvag.store.models import (
    AuditEvent,
    CallAttempt,
    CallFromChange,
    Case,
    CaseCheck,
    ChecklistItem,
    Contact,
    ContactMessage,
    Handover,
    TeamKey,
    VoiceMessage,
)
from utvag.store.models.sealed import SealedColumn, belongs_to_a_contact

REPLY_CODE = "0123456789ABCDEF"


def _written(entry: SealedColumn) -> bytes:
    return json.dumps({"fields": {"note": f"{entry.name} Överlämnings-Lodjur-42"}}).encode()


@pytest.fixture
def sealed_everywhere(
    client: FlaskClient, team: TeamFixture, session_factory: Any
) -> tuple[dict[str, tuple[type[Base], int]], int]:
    """A contact of Vägvalet with a case, a value sealed to Vägvalet's key in
    every column that belongs to it, and a reply sealed to the person's key."""
    post_form(client, "/sv/message", {"message": "före överlämningen"})
    with transaction(session_factory) as session:
        key = session.scalars(select(TeamKey)).one()
        contact = session.scalars(select(Contact)).one()
        case = Case(team_id=contact.team_id, contact_id=contact.id)
        session.add(case)
        session.flush()
        _, reply_public = reply_keypair(REPLY_CODE)
        return seal_everywhere(
            session, contact, case, belongs_to_a_contact(), key, _written, reply_public
        )


def _hand_over(staff: FlaskClient, contact_id: int, team_id: int):  # type: ignore[no-untyped-def]
    token = csrf_token_from(staff.get("/queue").get_data(as_text=True))
    return staff.post(
        f"/contacts/{contact_id}/handover",
        data={
            "csrf_token": token,
            "team": str(team_id),
            "consent": "yes",
            "consent_given_on": date.today().isoformat(),
            "confirm": "yes",
        },
    )


def _snapshot(session_factory: Any, where: dict[str, tuple[type[Base], int]]) -> dict[str, Any]:
    with session_factory() as session:
        values: dict[str, Any] = {}
        for entry in belongs_to_a_contact():
            model, row_id = where[entry.name]
            values[entry.name] = bytes(getattr(session.get(model, row_id), entry.column))
        values["teams"] = sorted(
            (table, team_id)
            for table, team_id in [
                *[("contacts", t) for t in session.scalars(select(Contact.team_id))],
                *[("cases", t) for t in session.scalars(select(Case.team_id))],
                *[("call_attempts", t) for t in session.scalars(select(CallAttempt.team_id))],
                *[
                    ("call_from_changes", t)
                    for t in session.scalars(select(CallFromChange.team_id))
                ],
            ]
        )
        values["audit"] = session.scalar(select(func.count()).select_from(AuditEvent))
        values["handovers"] = session.scalar(select(func.count()).select_from(Handover))
        values["check_items"] = sorted(session.scalars(select(CaseCheck.item_id)))
    return values


def test_every_envelope_of_the_contact_moves_to_the_receiving_key_and_only_that_opens_it(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory: Any,
    sealed_everywhere: tuple[dict[str, tuple[type[Base], int]], int],
) -> None:
    where, reply_id = sealed_everywhere
    assert len(where) == len(belongs_to_a_contact()) >= 11
    malmo = create_malmo(session_factory, team.keys)
    sending = team_keys(session_factory, team)
    receiving = team_keys(session_factory, malmo)
    with session_factory() as session:
        contact_id = session.scalars(select(Contact.id)).one()
        [malmo_key] = session.scalars(
            select(TeamKey.key_id).where(TeamKey.team_id == malmo.created.team.id)
        )

    response = _hand_over(logged_in_staff, contact_id, malmo.created.team.id)
    assert response.status_code == 302, response.get_data(as_text=True)

    with session_factory() as session:
        for entry in belongs_to_a_contact():
            model, row_id = where[entry.name]
            row = session.get(model, row_id)
            value = getattr(row, entry.column)
            assert envelope_key_id(value) == malmo_key, entry.name
            assert open_sealed(receiving, value) == _written(entry), entry.name
            with pytest.raises(CryptoError):
                open_sealed(sending, value)
            if entry.key_id_column is not None:
                assert getattr(row, entry.key_id_column) == malmo_key, entry.name
            if hasattr(row, "team_id"):
                assert row.team_id == malmo.created.team.id, entry.name
        reply = session.get(ContactMessage, reply_id)
        assert reply is not None
        # The person's copy is sealed to their reply key: left as it was.
        assert open_reply(REPLY_CODE, reply.sealed_content) == b"till personen"
        assert reply.sealed_for_team is not None
        assert open_sealed(receiving, reply.sealed_for_team) == b"teamets kopia"
        # The case's answers moved to a criterion of the receiving team.
        for check in session.scalars(select(CaseCheck)):
            item = session.get(ChecklistItem, check.item_id)
            assert item is not None
            assert item.team_id == malmo.created.team.id


def test_a_value_that_cannot_be_opened_rolls_the_whole_hand_over_back(
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory: Any,
    sealed_everywhere: tuple[dict[str, tuple[type[Base], int]], int],
) -> None:
    where, _reply_id = sealed_everywhere
    malmo = create_malmo(session_factory, team.keys)
    # The voice message's envelope still names Vägvalet's key, but is damaged.
    with transaction(session_factory) as session:
        voice = session.scalars(select(VoiceMessage)).one()
        voice.sealed_audio = voice.sealed_audio[:-1] + bytes([voice.sealed_audio[-1] ^ 1])
        contact_id = voice.contact_id
    before = _snapshot(session_factory, where)

    response = _hand_over(logged_in_staff, contact_id, malmo.created.team.id)
    assert response.status_code == 400
    assert "Ingenting lämnades över" in response.get_data(as_text=True)
    assert _snapshot(session_factory, where) == before
