"""The clock every module reads: aware UTC, so times compare across zones and
databases (``utvag.store.db.UTCDateTime`` stores them)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
