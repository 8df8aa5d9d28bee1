from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    LEAD = "lead"
    ADMIN = "admin"


class StaffMember(Base):
    """A triage staff member.

    Each member has an X25519 key pair of their own. The private half is
    stored only wrapped under an Argon2id key from their password; the team
    keys are sealed to the public half (see KeyWrap). There is no password
    hash: a login is checked by unwrapping.
    """

    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.COORDINATOR.value)
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32), default=None)
    wrapped_private_key: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # The TOTP secret, sealed to the member's own public key: only their
    # password opens it, at login, so a copy of the database does not hold
    # anyone's second factor.
    sealed_totp_secret: Mapped[bytes] = mapped_column(LargeBinary)
    # The member's own phone, for calling through the hotline's number: sealed
    # to the team key like everything personal; only the console opens it.
    sealed_phone: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # Where the member gets the content-free "something is waiting" SMS, if
    # they turned it on (``utvag.jobs.staff_notices``): a work phone, in
    # clear because the worker, which holds no key, must send to it. None:
    # no notices. The member turns it on and off themselves.
    notice_phone: Mapped[str | None] = mapped_column(String(40), default=None)
    # The last accepted TOTP time step: a code is never accepted twice.
    last_totp_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Consecutive failed logins, and the lockout they led to.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # May record the social services' decision on a case (delegated to
    # decide under SoL), whatever the member's role; the admin sets it.
    is_decider: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None and self.wrapped_private_key is not None
