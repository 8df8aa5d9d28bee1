"""Re-sealing everything sealed to a retired team key to the active one.

After a rotation old envelopes stay readable (old keys are kept); a lead may
re-seal them so that the old key is no longer needed for anything, and then
destroy it (``utvag.repo.key_destruction``). What "everything" is comes from
one list, the registry of sealed columns (``utvag.store.models.sealed``): every
column a team key opens is walked, so a sealed field added to a model is
re-sealed the day it is registered (and a test fails until it is).

Rows are found by the key id in their envelope's header, read in the
database: only envelopes naming one of this team's retired keys are opened,
so another team's rows and a reply sealed to a person's reply key are never
touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto.errors import CryptoError
from crypto.opening import open_sealed
from crypto.sealing import seal
from utvag.repo.key_destruction import still_sealed_to
from utvag.store.models import TeamKey
from utvag.store.models.sealed import SealedColumn, names_team_key, sealed_to_team


@dataclass(frozen=True)
class Resealed:
    resealed: int
    # Envelopes that name a retired key of the team and still do afterwards:
    # sealed to a key this member does not hold, or that would not open.
    left: int


def reseal_team(
    session: Session, team_id: int, active: TeamKey, private_keys: Mapping[str, bytes]
) -> Resealed:
    """Move every envelope sealed to one of the team's retired keys to ``active``."""
    retired = list(
        session.scalars(
            select(TeamKey.key_id).where(
                TeamKey.team_id == team_id,
                TeamKey.key_id != active.key_id,
                TeamKey.destroyed_at.is_(None),
            )
        )
    )
    held = [team_key_id for team_key_id in retired if team_key_id in private_keys]
    resealed = 0
    if held:
        for entry in sealed_to_team():
            resealed += _reseal_column(session, entry, held, active, private_keys)
        session.flush()
    left = sum(still_sealed_to(session, retired).values()) if retired else 0
    return Resealed(resealed=resealed, left=left)


def _reseal_column(
    session: Session,
    entry: SealedColumn,
    held: list[str],
    active: TeamKey,
    private_keys: Mapping[str, bytes],
) -> int:
    moved = 0
    for row in session.scalars(select(entry.model).where(names_team_key(entry, held))):
        try:
            plaintext = open_sealed(private_keys, getattr(row, entry.column))
        except CryptoError:
            continue  # counted as left by the caller
        setattr(row, entry.column, seal(active.public_key, plaintext))
        if entry.key_id_column is not None:
            setattr(row, entry.key_id_column, active.key_id)
        moved += 1
    return moved
