from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    LEAD = "lead"
    ADMIN = "admin"


class StaffMember(Base):
    """A triage staff member. The password is never stored: it is checked by
    unwrapping the member's copy of the team key (see KeyWrap)."""

    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.COORDINATOR.value)
    totp_secret: Mapped[str] = mapped_column(String(64))
    # The last accepted TOTP time step: a code is never accepted twice.
    last_totp_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
