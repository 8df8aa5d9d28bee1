from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from utvag.db import Base, UTCDateTime, utcnow


class CaseStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class CheckStatus(enum.StrEnum):
    OPEN = "open"
    MET = "met"
    NOT_MET = "not_met"


class ChecklistItem(Base):
    """One eligibility criterion of a team (data, not code: each programme has its own)."""

    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class Case(Base):
    """A pending case: a reached defector who wants to go on, on the way to the
    intake meeting with the police for the threat assessment."""

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
    # The next step: the intake meeting with police (threat assessment).
    police_meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sealed_notes: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


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
