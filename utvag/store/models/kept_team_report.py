from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class KeptTeamReport(Base):
    """A removed team's yearly follow-up, kept for the board when the lead asked.

    Only what the board's report shows, already suppressed (``<5``): the
    team's slug and name, the year and the figures. No foreign key: the team
    is gone, and nothing here points at a person or a row.
    """

    __tablename__ = "kept_team_reports"
    __table_args__ = (UniqueConstraint("team_slug", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_slug: Mapped[str] = mapped_column(String(40))
    team_name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column()
    # {figure: {year: [value or null, suppressed]}} for the year and the one before.
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    has_data: Mapped[bool] = mapped_column(default=False)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
