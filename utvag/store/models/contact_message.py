from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class MessageDirection(enum.StrEnum):
    # A follow-up the person sent with their receipt code: sealed to the team.
    FROM_PERSON = "from_person"
    # A reply from staff: sealed to the contact's reply key, which only the
    # receipt code derives, and a copy sealed to the team key so colleagues
    # can read what was promised (``sealed_for_team``).
    TO_PERSON = "to_person"


class ContactMessage(Base):
    """One message after the first contact, in either direction, always sealed."""

    __tablename__ = "contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(20))
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    # A staff reply's copy for the team (None for replies sent before 0005).
    sealed_for_team: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For messages from the person: when a member first opened them.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
