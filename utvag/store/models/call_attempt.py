from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class CallOutcome(enum.StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    # The person answered but could not talk safely: call again later.
    UNSAFE = "unsafe"
    WRONG_NUMBER = "wrong_number"


class CallAttempt(Base):
    """One call-back attempt: who, when, what happened. The programme lead's
    report to the board is built from these rows; a note, if any, is sealed."""

    __tablename__ = "call_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    staff_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL")
    )
    outcome: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # When the contact was re-slotted to, if it was.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sealed_note: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
