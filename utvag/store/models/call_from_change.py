from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class CallFromChange(Base):
    """Staff changed which number a person may be called from, against the
    person's own choice. Allowed only with a reason, sealed to the team key
    like any note (and purged with the contact); the change itself (from,
    to, who, when) is in clear here and in the audit trail."""

    __tablename__ = "call_from_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    staff_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL")
    )
    from_choice: Mapped[str] = mapped_column(String(10))
    to_choice: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sealed_reason: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
