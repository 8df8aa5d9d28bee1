from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class TeamKey(Base):
    """One X25519 key pair of a team. Only the public half is stored in clear.

    A team may have several (rotation); the newest unretired one seals new
    submissions, the others stay to open what was sealed to them, until they
    are destroyed.
    """

    __tablename__ = "team_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Crypto-shredded: its lock and every grant of it deleted (only ever a
    # retired key to which nothing is sealed any more).
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class KeyWrap(Base):
    """A team private key sealed to one staff member's public key or, when
    ``staff_member_id`` is empty, to the team's recovery public key, and the
    whole then locked under the key's lock in the console's key store
    (``crypto.key_locks``), so deleting that one lock destroys every grant,
    in older copies of the database too.

    Sealing to a public key (rather than wrapping under a password) is what
    lets an admin hand a new key to every member at a rotation, and take it
    away again by deleting the row, without knowing anyone's password.
    """

    __tablename__ = "key_wraps"
    __table_args__ = (UniqueConstraint("team_key_id", "staff_member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_key_id: Mapped[int] = mapped_column(
        ForeignKey("team_keys.id", ondelete="CASCADE"), index=True
    )
    staff_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), index=True
    )
    sealed_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
