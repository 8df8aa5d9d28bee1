"""A contact handed to another team: every envelope re-sealed to its key.

The sending lead's session holds the sending team's private keys; the
receiving team's active public key is in the database. Every column sealed
to a team key that belongs to a contact (the registry,
``utvag.store.models.sealed``, by its link: the contact, its messages, calls,
voice messages, case and every record on the case, and whatever is
registered later) is opened with the one and sealed to the other; then the
rows change team (``utvag.repo.handover``). All in the caller's transaction:
an envelope that does not open refuses the whole hand-over, and nothing
moves. A reply sealed to the person's own reply key is not the team's and
is left as it is, so the person still reads it with their receipt code.

Only envelopes naming one of the sending team's keys are opened (found by
the key id in their header, read in the database); afterwards none that
belongs to the contact may name one, or the hand-over is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crypto.errors import CryptoError
from crypto.opening import open_sealed
from crypto.sealing import seal
from utvag.repo.handover import (
    HandoverProblem,
    HandoverRefused,
    check_something_left,
    move_rows,
    record_handover,
)
from utvag.repo.teams import TeamError, active_team_key
from utvag.store.models import Contact, Handover, StaffMember, Team, TeamKey
from utvag.store.models.sealed import belongs_to_a_contact, belongs_to_contact, names_team_key


@dataclass(frozen=True)
class HandedOver:
    line: Handover
    resealed: int
    case_id: int | None


def hand_over(
    session: Session,
    contact: Contact,
    *,
    from_team: Team,
    to_team: Team,
    member: StaffMember,
    consent_given_on: date,
    sending_keys: Mapping[str, bytes],
    now: datetime,
) -> HandedOver:
    """Re-seal and move; HandoverRefused (and the caller rolls back) if anything fails."""
    check_something_left(contact)
    try:
        receiving_key = active_team_key(session, to_team.id)
    except TeamError:
        raise HandoverRefused(HandoverProblem.RECEIVER_HAS_NO_KEY) from None
    sending_key_ids = list(
        session.scalars(select(TeamKey.key_id).where(TeamKey.team_id == from_team.id))
    )
    resealed = _reseal_contact(session, contact.id, sending_key_ids, sending_keys, receiving_key)
    if _still_sealed_to(session, contact.id, sending_key_ids):
        raise HandoverRefused(HandoverProblem.CANNOT_OPEN)
    moved = move_rows(session, contact, to_team, now)
    line = record_handover(session, contact, from_team, to_team, consent_given_on, member, now)
    return HandedOver(line=line, resealed=resealed, case_id=moved.case_id)


def _reseal_contact(
    session: Session,
    contact_id: int,
    sending_key_ids: list[str],
    sending_keys: Mapping[str, bytes],
    receiving_key: TeamKey,
) -> int:
    resealed = 0
    for entry in belongs_to_a_contact():
        rows = session.scalars(
            select(entry.model).where(
                belongs_to_contact(entry, contact_id), names_team_key(entry, sending_key_ids)
            )
        )
        for row in rows:
            try:
                plaintext = open_sealed(sending_keys, getattr(row, entry.column))
            except CryptoError:
                raise HandoverRefused(HandoverProblem.CANNOT_OPEN) from None
            setattr(row, entry.column, seal(receiving_key.public_key, plaintext))
            if entry.key_id_column is not None:
                setattr(row, entry.key_id_column, receiving_key.key_id)
            resealed += 1
    session.flush()
    return resealed


def _still_sealed_to(session: Session, contact_id: int, team_key_ids: list[str]) -> int:
    """How many envelopes of the contact still name one of these keys."""
    if not team_key_ids:
        return 0
    return sum(
        session.scalar(
            select(func.count())
            .select_from(entry.model)
            .where(belongs_to_contact(entry, contact_id), names_team_key(entry, team_key_ids))
        )
        or 0
        for entry in belongs_to_a_contact()
    )
