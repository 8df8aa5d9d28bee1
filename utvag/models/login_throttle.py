from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from utvag.db import Base, UTCDateTime


class LoginThrottle(Base):
    """Failed logins per network and hour, without the network's address.

    ``bucket`` is an HMAC of the /24 (IPv4) or /64 (IPv6) under a secret that
    changes every day, so the row says "this many failures from one network"
    and nothing about which.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("bucket", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    failures: Mapped[int] = mapped_column(default=0)
