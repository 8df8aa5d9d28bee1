"""Re-sealing everything sealed to a retired team key to the active one.

After a rotation old envelopes stay readable (old keys are kept); a lead may
re-seal them so that the old key is no longer needed for anything.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto.errors import CryptoError
from crypto.opening import open_sealed
from crypto.sealing import envelope_key_id, seal
from utvag.models import CallAttempt, Case, CaseCheck, Contact, TeamKey


def reseal_team(
    session: Session, team_id: int, active: TeamKey, private_keys: Mapping[str, bytes]
) -> tuple[int, int]:
    """(re-sealed, left as they were because no held key opens them)."""

    def moved(envelope: bytes | None) -> bytes | None:
        if envelope is None or envelope_key_id(envelope) == active.key_id:
            return None
        try:
            return seal(active.public_key, open_sealed(private_keys, envelope))
        except CryptoError:
            return None

    resealed = skipped = 0
    for contact in session.scalars(
        select(Contact).where(Contact.team_id == team_id, Contact.key_id != active.key_id)
    ):
        new = moved(contact.sealed_content)
        if new is None:
            skipped += 1
            continue
        contact.sealed_content, contact.key_id = new, active.key_id
        resealed += 1
    for attempt in session.scalars(
        select(CallAttempt).where(
            CallAttempt.team_id == team_id, CallAttempt.sealed_note.is_not(None)
        )
    ):
        new = moved(attempt.sealed_note)
        if new is not None:
            attempt.sealed_note = new
            resealed += 1
    for case in session.scalars(select(Case).where(Case.team_id == team_id)):
        new = moved(case.sealed_notes)
        if new is not None:
            case.sealed_notes = new
            resealed += 1
        for check in session.scalars(select(CaseCheck).where(CaseCheck.case_id == case.id)):
            new = moved(check.sealed_note)
            if new is not None:
                check.sealed_note = new
                resealed += 1
    return resealed, skipped
