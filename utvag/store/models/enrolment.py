from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class Enrolment(Base):
    """A new member an admin has added, until they set their password.

    The admin's session wraps the team keys under a one-time code that the
    admin hands over in person; the new member's first visit unwraps them with
    that code and re-seals them to the member's own key. Used, expired or
    guessed at too often, the row is deleted and the keys with it.
    """

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # A key pair of the invitation's own: its private half wrapped under the
    # one-time code, the team keys sealed to its public half.
    wrapped_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_team_keys: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set on the first step, confirmed with a code on the second; sealed to
    # the invitation's own public key, so only the code opens it.
    sealed_totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    failed_attempts: Mapped[int] = mapped_column(default=0)
