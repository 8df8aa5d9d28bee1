from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class CaseStatus(enum.StrEnum):
    """pending -> accepted -> closed, or pending -> declined, or pending ->
    referred out (to a service outside, with the person's consent)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"
    REFERRED_OUT = "referred_out"


class CloseReason(enum.StrEnum):
    """Why an accepted case ended (Malmö: established in a new town, or the
    plan not followed; and the other ways a case ends)."""

    ESTABLISHED = "established"
    PLAN_NOT_FOLLOWED = "plan_not_followed"
    WITHDREW = "withdrew"
    MOVED = "moved"
    OTHER = "other"


class CheckStatus(enum.StrEnum):
    OPEN = "open"
    MET = "met"
    NOT_MET = "not_met"


class ChecklistKind(enum.StrEnum):
    """What a criterion is about, where the console links it to a record."""

    CONSENT = "consent"


class ChecklistItem(Base):
    """One eligibility criterion of a team (data, not code: each programme has its own)."""

    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # "consent": the criterion the case's consent record answers.
    kind: Mapped[str | None] = mapped_column(String(20), default=None)


class Case(Base):
    """A defector who wants to go on, from the first meeting to the end.

    In clear only what the board's yearly follow-up counts and what the
    console needs to show what is overdue (dates, status, reason, who is the
    contact person); everything anyone wrote is sealed to the team key.
    """

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL")
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.PENDING.value)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The intake meeting with the police (threat assessment): when, whether
    # it was held, and who took part, by role (never by name).
    police_meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    police_meeting_held: Mapped[bool] = mapped_column(default=False, server_default="0")
    police_meeting_roles: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    # Told early that what one says to a police officer may create a duty
    # to report (Eskilstuna's agreement): the day it was said.
    duty_to_report_told_on: Mapped[date | None] = mapped_column(Date, default=None)
    sealed_notes: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # Accepted: the mapping phase (kartläggning) with a contact person.
    contact_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    mapping_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    mapping_done_on: Mapped[date | None] = mapped_column(Date, default=None)
    # A criterion answered "no" after acceptance must be faced: the lead
    # confirms the case goes on (this time) or closes it.
    criteria_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_on: Mapped[date | None] = mapped_column(Date, default=None)
    close_reason: Mapped[str | None] = mapped_column(String(30), default=None)
    # When retention starts counting: the case closed or was declined.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CaseCheck(Base):
    """Where one case stands on one checklist item."""

    __tablename__ = "case_checks"
    __table_args__ = (UniqueConstraint("case_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default=CheckStatus.OPEN.value)
    sealed_note: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssessmentKind(enum.StrEnum):
    THREAT = "threat"  # hotbildsbedömning
    MOTIVATION = "motivation"


class CaseAssessment(Base):
    """A threat or motivation assessment: the day in clear; the level, who
    made it and why, sealed."""

    __tablename__ = "case_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    assessed_on: Mapped[date] = mapped_column(Date)
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )


class CaseMeeting(Base):
    """A later meeting (samverkansmöte): the day and the roles there in clear,
    what was said sealed."""

    __tablename__ = "case_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    sealed_notes: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )


class RegisterCheck(Base):
    """The police's check of the crime registers in an ongoing case: the day
    and whether it showed a relapse in clear (the board counts both)."""

    __tablename__ = "case_register_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    checked_on: Mapped[date] = mapped_column(Date)
    relapse: Mapped[bool] = mapped_column(default=False)
    sealed_note: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )


class CaseConsent(Base):
    """Consent to share information: given and withdrawn days in clear; what
    it covers and which authorities, sealed."""

    __tablename__ = "case_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    given_on: Mapped[date] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date, default=None)
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )


class ClockException(enum.StrEnum):
    """An agreement's rule the lead set aside for one case, with a reason."""

    # The mapping's due day outside the preset's window (2-4 weeks).
    MAPPING_DUE_OUTSIDE_WINDOW = "mapping_due_outside_window"
    # The mapping marked done on the very day the case was accepted.
    MAPPING_DONE_ON_ACCEPTANCE = "mapping_done_on_acceptance"
    # Accepted into an over-18 programme though the person said they are under 18.
    UNDER_18_ACCEPTED = "under_18_accepted"


class CaseClockException(Base):
    """The lead set an agreement's clock or age rule aside for a case: which
    rule and the day it concerned in clear (the board and an auditor count
    them); the lead's reason sealed to the team key."""

    __tablename__ = "case_clock_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    day: Mapped[date | None] = mapped_column(Date, default=None)
    sealed_reason: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def roles_list(value: Any) -> list[str]:
    """A stored list of role codes, whatever the database gave back."""
    return [str(item) for item in value] if isinstance(value, list) else []


class PartnerMeetingOutcome(enum.StrEnum):
    """What an avstämningsmöte with the partners came to (clear: the board counts it)."""

    PLAN_CONTINUES = "plan_continues"
    PLAN_CHANGED = "plan_changed"
    CLOSE_PROPOSED = "close_proposed"
    OTHER = "other"


class PartnerMeeting(Base):
    """A partner meeting (avstämningsmöte) with the police and social services
    on a case: the day, who took part by role and what it came to in clear;
    what was said, sealed."""

    __tablename__ = "case_partner_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(20))
    sealed_notes: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


# The outcome checks after a case closed, in months (what the board asks:
# what became of people a year or two later).
OUTCOME_CHECK_MONTHS = (6, 12, 24)


class OutcomeCheck(Base):
    """What became of a person 6, 12 or 24 months after the case closed: four
    answers (yes / no / unknown) and the day, all clear and nothing typed, so
    the yearly report counts them after retention has emptied the case."""

    __tablename__ = "case_outcome_checks"
    __table_args__ = (UniqueConstraint("case_id", "months"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    months: Mapped[int] = mapped_column()
    checked_on: Mapped[date] = mapped_column(Date)
    left_group: Mapped[str] = mapped_column(String(10))
    no_new_sanction: Mapped[str] = mapped_column(String(10))
    housing: Mapped[str] = mapped_column(String(10))
    work_or_studies: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
