from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.store.db import Base, UTCDateTime


class MaintenanceRun(Base):
    """When the worker last did one of its scheduled tasks, and whether it failed.

    The console's ``/healthz/worker`` and its banner for leads read this, so a
    purge that stopped running, or fails every time, is seen by a person and
    by monitoring, not only written to a log nobody reads.
    """

    __tablename__ = "maintenance_runs"

    task: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    failures_in_a_row: Mapped[int] = mapped_column(default=0)
    # The exception's type only: a message could quote a value.
    last_error: Mapped[str | None] = mapped_column(String(80), default=None)
