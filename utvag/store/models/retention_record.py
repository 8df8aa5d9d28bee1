from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class RetentionRecord(Base):
    """What one retention purge deleted, for a board and an auditor: what it
    was, its days, and the rule that applied. No id of the contact or the
    case and nothing sealed: the record cannot lead back to a person."""

    __tablename__ = "retention_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # "contact" (closed without a case), "case" (a case closed or declined),
    # "unverified" (kept in a flood, never moved into the queue).
    kind: Mapped[str] = mapped_column(String(20))
    came_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date, default=None)
    purged_on: Mapped[date] = mapped_column(Date)
    # Which rule: the kind's rule and the team's retention then, and the day
    # a lead's "keep longer" held it to, if one did.
    rule: Mapped[str] = mapped_column(String(40))
    retention_days: Mapped[int] = mapped_column()
    kept_until: Mapped[date | None] = mapped_column(Date, default=None)


class RetentionExtension(Base):
    """A lead's "keep longer" for a case still being worked: the day it is
    kept until and who decided when in clear, the reason sealed."""

    __tablename__ = "case_retention_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    keep_until: Mapped[date] = mapped_column(Date)
    sealed_reason: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
