from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class StaffSession(Base):
    """A live console session.

    The row holds the unwrapped team keys only sealed under a key derived from
    the session token, and the token lives only in the staff member's cookie
    (the row is looked up by the token's hash). A copy of the database alone
    opens nothing; logout or expiry deletes the row and with it the keys.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_member_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sealed_team_keys: Mapped[bytes] = mapped_column(LargeBinary)
