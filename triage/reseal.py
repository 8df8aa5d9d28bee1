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
from utvag.models import (
    CallAttempt,
    CallFromChange,
    Case,
    CaseAssessment,
    CaseCheck,
    CaseConsent,
    CaseMeeting,
    Contact,
    ContactMessage,
    MessageDirection,
    RegisterCheck,
    StaffMember,
    TeamKey,
    VoiceMessage,
)

# Every column sealed to the team key, other than the contact's own and the
# voice messages' (which also carry a key_id column): (model, column).
_CASE_RECORDS = (
    (CaseCheck, "sealed_note"),
    (CaseAssessment, "sealed_content"),
    (CaseMeeting, "sealed_notes"),
    (RegisterCheck, "sealed_note"),
    (CaseConsent, "sealed_content"),
)


def reseal_team(
    session: Session, team_id: int, active: TeamKey, private_keys: Mapping[str, bytes]
) -> tuple[int, int]:
    """(re-sealed, left as they were because no held key opens them).

    Covers everything sealed to a team key: contacts, follow-ups and the
    team's copy of replies, call notes, reasons for changing which number
    may call, case notes and every case record, voice messages, members'
    own phones. A reply's copy for the person is sealed to their reply
    key, not a team key, and is left alone; so is anything purged.
    """
    counts = {"resealed": 0, "skipped": 0}

    def moved(envelope: bytes | None) -> bytes | None:
        if not envelope:
            return None  # never written, or purged
        try:
            if envelope_key_id(envelope) == active.key_id:
                return None
            new = seal(active.public_key, open_sealed(private_keys, envelope))
        except CryptoError:
            counts["skipped"] += 1
            return None
        counts["resealed"] += 1
        return new

    def reseal_column(row: object, column: str) -> None:
        new = moved(getattr(row, column))
        if new is not None:
            setattr(row, column, new)

    for contact in session.scalars(
        select(Contact).where(
            Contact.team_id == team_id, Contact.key_id != active.key_id, Contact.key_id != ""
        )
    ):
        new = moved(contact.sealed_content)
        if new is not None:
            contact.sealed_content, contact.key_id = new, active.key_id
    for message in session.scalars(
        select(ContactMessage).join(Contact).where(Contact.team_id == team_id)
    ):
        if message.direction == MessageDirection.FROM_PERSON.value:
            reseal_column(message, "sealed_content")
        reseal_column(message, "sealed_for_team")
    for voice in session.scalars(
        select(VoiceMessage)
        .join(Contact)
        .where(Contact.team_id == team_id, VoiceMessage.key_id != active.key_id)
    ):
        new = moved(voice.sealed_audio)
        if new is not None:
            voice.sealed_audio, voice.key_id = new, active.key_id
    for member in session.scalars(
        select(StaffMember).where(
            StaffMember.team_id == team_id, StaffMember.sealed_phone.is_not(None)
        )
    ):
        reseal_column(member, "sealed_phone")
    for attempt in session.scalars(
        select(CallAttempt).where(
            CallAttempt.team_id == team_id, CallAttempt.sealed_note.is_not(None)
        )
    ):
        reseal_column(attempt, "sealed_note")
    for change in session.scalars(
        select(CallFromChange).where(
            CallFromChange.team_id == team_id, CallFromChange.sealed_reason.is_not(None)
        )
    ):
        reseal_column(change, "sealed_reason")
    for case in session.scalars(select(Case).where(Case.team_id == team_id)):
        reseal_column(case, "sealed_notes")
        for model, column in _CASE_RECORDS:
            for record in session.scalars(select(model).where(model.case_id == case.id)):
                reseal_column(record, column)
    return counts["resealed"], counts["skipped"]
