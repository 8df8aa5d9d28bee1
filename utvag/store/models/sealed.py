"""Every sealed column, in one list: re-sealing, retention and the tests read it.

Before this list, three hand-written lists (re-sealing, retention, the
re-seal test) each had to remember every sealed field, and a forgotten one
failed nowhere: a lead who re-sealed and then destroyed the old key would
have lost it. Now:

- re-sealing (``triage.keys.reseal``) moves every column sealed to a team key;
- a hand-over to another team (``triage.keys.handover``) re-seals every one
  of them that belongs to the contact, by its link;
- a key is destroyed only when no column sealed to a team key still names it
  (``utvag.repo.key_destruction``);
- retention (``utvag.repo.retention``) empties or deletes every column it marks;
- the no-plaintext harness checks every column holds only envelopes, and
  that its flows filled every team-key column;
- ``tests/utvag/store/test_sealed_registry.py`` fails when a model gains a
  ``LargeBinary`` column that is in neither this list nor ``NOT_SEALED``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, and_, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute

from utvag.store.db import Base
from utvag.store.models.call_attempt import CallAttempt
from utvag.store.models.call_from_change import CallFromChange
from utvag.store.models.case import (
    Case,
    CaseAssessment,
    CaseCheck,
    CaseClockException,
    CaseConsent,
    CaseMeeting,
    PartnerMeeting,
    RegisterCheck,
)
from utvag.store.models.contact import Contact
from utvag.store.models.contact_message import ContactMessage
from utvag.store.models.defector_funds import FundsApplication
from utvag.store.models.enrolment import Enrolment
from utvag.store.models.investigation import Investigation
from utvag.store.models.outside_referral import OutsideReferral
from utvag.store.models.retention_record import RetentionExtension
from utvag.store.models.staff import StaffMember
from utvag.store.models.staff_session import StaffSession
from utvag.store.models.team import Team
from utvag.store.models.team_key import KeyWrap, TeamKey
from utvag.store.models.voice_message import VoiceMessage


class SealedTo(enum.StrEnum):
    """What opens a column."""

    # The team's key pair (rotated, re-sealed, destroyed): what people wrote.
    TEAM_KEY = "team key"
    # The per-contact reply key only the person's receipt code derives.
    REPLY_KEY = "reply key"
    # A member's own key pair (opened with their password and the pepper).
    MEMBER_KEY = "member key"
    # The team's recovery key pair (opened with the recovery code and the pepper).
    RECOVERY_KEY = "recovery key"
    # A pending invitation's own key pair (opened with the enrolment code).
    INVITATION_KEY = "invitation key"
    # Wrapped (Argon2id) under a secret a person holds and the console's pepper.
    LOGIN_WRAP = "password and the console's wrapping secret"
    RECOVERY_WRAP = "recovery code and the console's wrapping secret"
    ENROLMENT_WRAP = "enrolment code and the console's wrapping secret"
    # A live session's token, which only the member's cookie holds.
    SESSION_COOKIE = "session token, held only in the cookie"


class AtRetention(enum.StrEnum):
    """What the retention purge does to a column when its contact's time is up."""

    EMPTIED = "emptied"
    ROW_DELETED = "row deleted"
    # Not what a person wrote: staff keys and the member's own phone, which
    # go when the member is removed or the key destroyed.
    KEPT = "kept"


class ContactLink(enum.StrEnum):
    """How a row belongs to a contact (what retention follows)."""

    SELF = "the contact itself"
    CONTACT_ID = "contact_id"
    CASE_ID = "case_id, the case of the contact"
    NONE = "no contact"


# The envelope a value starts with (sealed, wrapped, locked), for the checks.
SEALED_MAGIC = b"US"
WRAPPED_MAGIC = b"UW"
LOCKED_MAGIC = b"UL"


@dataclass(frozen=True)
class SealedColumn:
    model: type[Base]
    column: str
    holds: str
    sealed_to: frozenset[SealedTo]
    retention: AtRetention
    link: ContactLink = ContactLink.NONE
    # A clear copy of the envelope's key id, kept in step by re-sealing.
    key_id_column: str | None = None

    @property
    def name(self) -> str:
        return f"{self.model.__tablename__}.{self.column}"

    @property
    def attribute(self) -> InstrumentedAttribute[bytes | None]:
        attribute: InstrumentedAttribute[bytes | None] = getattr(self.model, self.column)
        return attribute

    @property
    def nullable(self) -> bool:
        return bool(self.model.__table__.c[self.column].nullable)

    @property
    def magic(self) -> bytes | None:
        """How every stored value begins (None: a session box, no header)."""
        if self.sealed_to & {SealedTo.LOGIN_WRAP, SealedTo.RECOVERY_WRAP, SealedTo.ENROLMENT_WRAP}:
            return WRAPPED_MAGIC
        if self.sealed_to == {SealedTo.SESSION_COOKIE}:
            return None
        if self.model is KeyWrap:
            return LOCKED_MAGIC
        return SEALED_MAGIC


def _team(
    model: type[Base],
    column: str,
    holds: str,
    link: ContactLink,
    retention: AtRetention,
    key_id_column: str | None = None,
    also: frozenset[SealedTo] = frozenset(),
) -> SealedColumn:
    return SealedColumn(
        model=model,
        column=column,
        holds=holds,
        sealed_to=frozenset({SealedTo.TEAM_KEY}) | also,
        retention=retention,
        link=link,
        key_id_column=key_id_column,
    )


def _staff(model: type[Base], column: str, holds: str, *sealed_to: SealedTo) -> SealedColumn:
    return SealedColumn(
        model=model,
        column=column,
        holds=holds,
        sealed_to=frozenset(sealed_to),
        retention=AtRetention.KEPT,
    )


EMPTIED, DELETED = AtRetention.EMPTIED, AtRetention.ROW_DELETED
SEALED_COLUMNS: tuple[SealedColumn, ...] = (
    # What people wrote or said, and what staff noted about them.
    _team(
        Contact,
        "sealed_content",
        "what the person wrote or said: message, number, name, note",
        ContactLink.SELF,
        EMPTIED,
        key_id_column="key_id",
    ),
    _team(
        ContactMessage,
        "sealed_content",
        "a follow-up from the person (team key) or a staff reply for the person (reply key)",
        ContactLink.CONTACT_ID,
        DELETED,
        also=frozenset({SealedTo.REPLY_KEY}),
    ),
    _team(
        ContactMessage,
        "sealed_for_team",
        "the team's copy of a staff reply",
        ContactLink.CONTACT_ID,
        DELETED,
    ),
    _team(
        VoiceMessage,
        "sealed_audio",
        "a voice message's audio",
        ContactLink.CONTACT_ID,
        DELETED,
        key_id_column="key_id",
    ),
    _team(CallAttempt, "sealed_note", "a call's note", ContactLink.CONTACT_ID, EMPTIED),
    _team(
        CallFromChange,
        "sealed_reason",
        "why staff changed which number may call",
        ContactLink.CONTACT_ID,
        EMPTIED,
    ),
    _team(Case, "sealed_notes", "the case's notes", ContactLink.CONTACT_ID, EMPTIED),
    _team(CaseCheck, "sealed_note", "a criterion's note", ContactLink.CASE_ID, EMPTIED),
    _team(
        CaseAssessment,
        "sealed_content",
        "an assessment's level, who made it, its note",
        ContactLink.CASE_ID,
        EMPTIED,
    ),
    _team(CaseMeeting, "sealed_notes", "a meeting's notes", ContactLink.CASE_ID, EMPTIED),
    _team(
        PartnerMeeting,
        "sealed_notes",
        "what was said at a partner meeting",
        ContactLink.CASE_ID,
        EMPTIED,
    ),
    _team(
        RetentionExtension,
        "sealed_reason",
        "why a lead kept a case longer than the retention period",
        ContactLink.CASE_ID,
        EMPTIED,
    ),
    _team(RegisterCheck, "sealed_note", "a register check's note", ContactLink.CASE_ID, EMPTIED),
    _team(
        CaseConsent,
        "sealed_content",
        "what a consent covers and which authorities",
        ContactLink.CASE_ID,
        EMPTIED,
    ),
    _team(
        Investigation,
        "sealed_reason",
        "the reason for the social services' decision",
        ContactLink.CASE_ID,
        EMPTIED,
    ),
    _team(
        CaseClockException,
        "sealed_reason",
        "why the lead set an agreement's clock or age rule aside for a case",
        ContactLink.CASE_ID,
        EMPTIED,
    ),
    _team(
        FundsApplication,
        "sealed_note",
        "a note on an application for avhopparmedel",
        ContactLink.CASE_ID,
        EMPTIED,
    ),
    _team(
        OutsideReferral,
        "sealed_note",
        "a note on a referral to a service outside the programme",
        ContactLink.CONTACT_ID,
        EMPTIED,
    ),
    _team(
        StaffMember,
        "sealed_phone",
        "a member's own phone, for the switchboard (deleted when they are removed)",
        ContactLink.NONE,
        AtRetention.KEPT,
    ),
    # Staff keys and secrets.
    _staff(StaffMember, "sealed_totp_secret", "a member's TOTP secret", SealedTo.MEMBER_KEY),
    _staff(StaffMember, "wrapped_private_key", "a member's own private key", SealedTo.LOGIN_WRAP),
    _staff(Team, "wrapped_recovery_key", "the recovery private key", SealedTo.RECOVERY_WRAP),
    _staff(
        KeyWrap,
        "sealed_private_key",
        "a team private key, locked under its lock in the console's key store (a grant)",
        SealedTo.MEMBER_KEY,
        SealedTo.RECOVERY_KEY,
    ),
    _staff(
        Enrolment, "wrapped_private_key", "an invitation's private key", SealedTo.ENROLMENT_WRAP
    ),
    _staff(
        Enrolment,
        "sealed_team_keys",
        "the team keys an invitation carries, each locked under its lock",
        SealedTo.INVITATION_KEY,
    ),
    _staff(Enrolment, "sealed_totp_secret", "a new member's TOTP secret", SealedTo.INVITATION_KEY),
    _staff(
        StaffSession,
        "sealed_team_keys",
        "the team keys of a live session",
        SealedTo.SESSION_COOKIE,
    ),
)

# Binary columns that are not sealed, each with the reason.
NOT_SEALED: dict[tuple[type[Base], str], str] = {
    (TeamKey, "public_key"): "a team's public key: the public site seals to it",
    (Team, "recovery_public_key"): "the recovery key's public half: grants are sealed to it",
    (
        StaffMember,
        "public_key",
    ): "a member's public key: grants and the TOTP secret are sealed to it",
    (Contact, "reply_public_key"): (
        "the public half of the contact's reply key (the receipt code derives the private "
        "half); replies are sealed to it, and retention deletes it with the contact"
    ),
}


def sealed_to_team() -> tuple[SealedColumn, ...]:
    """The columns a team key opens: what re-sealing moves and a destruction checks."""
    return tuple(entry for entry in SEALED_COLUMNS if SealedTo.TEAM_KEY in entry.sealed_to)


def purged_at_retention() -> tuple[SealedColumn, ...]:
    return tuple(entry for entry in SEALED_COLUMNS if entry.retention is not AtRetention.KEPT)


def names_team_key(entry: SealedColumn, team_key_ids: list[str]) -> ColumnElement[bool]:
    """SQL: the column holds a sealed envelope naming one of these team keys.

    A sealed envelope is ``b"US" | version | key id (8 bytes) | …``
    (``crypto.sealing``): the key id is read from the header in the
    database, so nothing is opened and no other team's rows are touched.
    """
    column = entry.attribute
    return and_(
        func.substr(column, 1, 2, type_=LargeBinary) == literal(SEALED_MAGIC, LargeBinary),
        func.substr(column, 4, 8, type_=LargeBinary).in_(
            [bytes.fromhex(team_key_id) for team_key_id in team_key_ids]
        ),
    )


def belongs_to_contact(entry: SealedColumn, contact_id: int) -> ColumnElement[bool]:
    """SQL: the rows of ``entry``'s model that belong to one contact (itself,
    its messages and calls, its case and everything recorded on it)."""
    model: Any = entry.model
    if entry.link is ContactLink.SELF:
        return model.id == contact_id
    if entry.link is ContactLink.CONTACT_ID:
        return model.contact_id == contact_id
    if entry.link is ContactLink.CASE_ID:
        return model.case_id.in_(select(Case.id).where(Case.contact_id == contact_id))
    raise ValueError(f"{entry.name} belongs to no contact")


def belongs_to_a_contact() -> tuple[SealedColumn, ...]:
    """The team-key columns that belong to a contact: what a hand-over moves."""
    return tuple(entry for entry in sealed_to_team() if entry.link is not ContactLink.NONE)
