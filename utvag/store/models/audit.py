from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class AuditEvent(Base):
    """An append-only, hash-chained record of who did what, never with content.

    Each row's ``row_hash`` covers its fields and the previous row's hash;
    ``prev_hash`` is unique, so two writers racing for the same predecessor
    cannot fork the chain (one fails and retries).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Plain ids, no foreign keys: a cascade must never rewrite an audit row.
    team_id: Mapped[int | None] = mapped_column(default=None)
    actor_id: Mapped[int | None] = mapped_column(default=None, index=True)
    actor_name: Mapped[str | None] = mapped_column(String(64), default=None)
    action: Mapped[str] = mapped_column(String(40))
    contact_id: Mapped[int | None] = mapped_column(default=None, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    row_hash: Mapped[str] = mapped_column(String(64))
