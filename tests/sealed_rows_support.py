"""One row of each model that has a column sealed to a team key: the walks
of the registry of sealed columns (``utvag.store.models.sealed``) in the
re-seal and hand-over tests make theirs here, so a model added to the
registry needs one line, in one place, and both walks fail until it has it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto.sealing import seal
from utvag.store.db import Base
from utvag.store.models import (
    CallAttempt,
    CallFromChange,
    Case,
    CaseAssessment,
    CaseCheck,
    CaseClockException,
    CaseConsent,
    CaseMeeting,
    ChecklistItem,
    Contact,
    ContactMessage,
    FundsApplication,
    Investigation,
    MessageDirection,
    OutsideReferral,
    PartnerMeeting,
    RegisterCheck,
    RetentionExtension,
    StaffMember,
    TeamKey,
    VoiceMessage,
)
from utvag.store.models.sealed import SealedColumn, sealed_to_team


def _builders(
    session: Session, contact: Contact, case: Case
) -> dict[type[Base], Callable[[], Base]]:
    today = date(2026, 12, 3)
    item = session.scalars(
        select(ChecklistItem).where(ChecklistItem.team_id == contact.team_id)
    ).first()
    assert item is not None
    return {
        Contact: lambda: contact,
        Case: lambda: case,
        ContactMessage: lambda: ContactMessage(
            contact_id=contact.id, direction=MessageDirection.FROM_PERSON.value, sealed_content=b""
        ),
        VoiceMessage: lambda: VoiceMessage(
            contact_id=contact.id,
            key_id="",
            sealed_audio=b"",
            duration_seconds=3,
            recording_digest="d" * 64,
        ),
        CallAttempt: lambda: CallAttempt(
            contact_id=contact.id, team_id=contact.team_id, outcome="reached"
        ),
        CallFromChange: lambda: CallFromChange(
            contact_id=contact.id,
            team_id=contact.team_id,
            from_choice="neutral",
            to_choice="hotline",
        ),
        CaseCheck: lambda: CaseCheck(case_id=case.id, item_id=item.id),
        CaseAssessment: lambda: CaseAssessment(
            case_id=case.id, kind="threat", assessed_on=today, sealed_content=b""
        ),
        CaseMeeting: lambda: CaseMeeting(case_id=case.id, held_on=today),
        RegisterCheck: lambda: RegisterCheck(case_id=case.id, checked_on=today),
        CaseConsent: lambda: CaseConsent(case_id=case.id, given_on=today, sealed_content=b""),
        PartnerMeeting: lambda: PartnerMeeting(
            case_id=case.id, held_on=today, roles=["police"], outcome="plan_continues"
        ),
        RetentionExtension: lambda: RetentionExtension(
            case_id=case.id, keep_until=date(2027, 1, 4)
        ),
        CaseClockException: lambda: CaseClockException(
            case_id=case.id, kind="mapping_due_outside_window"
        ),
        Investigation: lambda: Investigation(case_id=case.id, opened_on=today),
        FundsApplication: lambda: FundsApplication(
            case_id=case.id, applied_on=today, amount_applied_kr=1000
        ),
        OutsideReferral: lambda: OutsideReferral(
            team_id=contact.team_id, contact_id=contact.id, kind="sig", referred_on=today
        ),
        # The member's own phone for the switchboard: the team's only member.
        StaffMember: lambda: session.scalars(select(StaffMember)).one(),
    }


def make_rows(
    session: Session, contact: Contact, case: Case, models: Collection[type[Base]]
) -> dict[type[Base], Base]:
    """A row of each of ``models`` (the contact and the case are given),
    flushed. Fails when the registry lists a model with no line above."""
    builders = _builders(session, contact, case)
    registered = {entry.model for entry in sealed_to_team()}
    assert set(builders) == registered, (
        "tests/sealed_rows_support.py: make a row for every model the registry lists"
    )
    rows = {model: builders[model]() for model in models}
    session.add_all(rows.values())
    session.flush()
    return rows


def seal_everywhere(
    session: Session,
    contact: Contact,
    case: Case,
    entries: Collection[SealedColumn],
    key: TeamKey,
    written: Callable[[SealedColumn], bytes],
    reply_public_key: bytes,
) -> tuple[dict[str, tuple[type[Base], int]], int]:
    """``written(entry)`` sealed to ``key`` in every column of ``entries``
    (where each went, by column name), and a reply for the person sealed to
    their reply key, which re-sealing and hand-over must leave alone."""
    rows = make_rows(session, contact, case, {entry.model for entry in entries})
    where: dict[str, tuple[type[Base], int]] = {}
    for entry in entries:
        row = rows[entry.model]
        setattr(row, entry.column, seal(key.public_key, written(entry)))
        if entry.key_id_column is not None:
            setattr(row, entry.key_id_column, key.key_id)
        where[entry.name] = (entry.model, row.id)  # type: ignore[attr-defined]
    reply = ContactMessage(
        contact_id=contact.id,
        direction=MessageDirection.TO_PERSON.value,
        sealed_content=seal(reply_public_key, b"till personen"),
        sealed_for_team=seal(key.public_key, b"teamets kopia"),
    )
    session.add(reply)
    session.flush()
    return where, reply.id
