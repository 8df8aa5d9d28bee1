from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from utvag.store.db import Base, UTCDateTime


class NetworkThrottle(Base):
    """Counts per bucket and hour, for one purpose (logins, wrong receipt
    codes, submissions), without the network's address.

    ``bucket`` is an HMAC of the /24 (IPv4) or /64 (IPv6), of a Tor circuit,
    or of the shared bucket, under a secret that changes every day, so a row
    says "this many from one place" and nothing about which. ``purpose`` is
    ``tor:<purpose>`` for the ceiling all Tor circuits share
    (``utvag.repo.throttle``).
    """

    __tablename__ = "network_throttles"
    __table_args__ = (UniqueConstraint("purpose", "bucket", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    bucket: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    count: Mapped[int] = mapped_column(default=0)
