from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class OutboxEntry(Base):
    """A job written in the same transaction as the change that needs it.

    Redis may lose a job; the database does not lose this row. The worker's
    relay enqueues entries that are not completed, so a Redis outage or a
    killed worker delays work but loses none. Arguments are ids only.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(64))
    job_args: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For scheduled jobs: not before this instant (RQ's scheduler holds it).
    run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    enqueue_count: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
