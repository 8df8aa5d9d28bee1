from __future__ import annotations

import enum
from datetime import date, time

from sqlalchemy import Date, ForeignKey, String, Time, UniqueConstraint
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from utvag.store.db import Base


class ClosureReason(enum.StrEnum):
    """Why a team closes on a weekday; the console says it in Swedish. The
    public pages never show it: "short of staff" is nobody else's business."""

    STAFF_SHORTAGE = "personalbrist"
    TRAINING_DAY = "utbildningsdag"
    OTHER = "annat"


def _first_day(context: DefaultExecutionContext) -> date:
    first: date = context.get_current_parameters()["day"]
    return first


class ClosedDay(Base):
    """A day, or a run of days from ``day`` to ``last_day``, that a team is
    closed beyond the public holidays (a training day, say). No two of a
    team's closures overlap (``utvag.repo.team_settings`` refuses it)."""

    __tablename__ = "closed_days"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # The first day closed.
    day: Mapped[date] = mapped_column(Date)
    # The last day closed (the same as ``day`` for a single day, the default).
    last_day: Mapped[date] = mapped_column(Date, default=_first_day)
    reason: Mapped[str] = mapped_column(
        String(20), default=ClosureReason.OTHER.value, server_default=ClosureReason.OTHER.value
    )
    # The lead's short words about the team's own day ("kurs i Örebro"),
    # never about a person.
    note: Mapped[str] = mapped_column(String(200), default="")

    def days(self) -> list[date]:
        """Every day the closure covers."""
        count = (self.last_day - self.day).days + 1
        return [date.fromordinal(self.day.toordinal() + offset) for offset in range(count)]


class ExtraOpenDay(Base):
    """A day a team is open outside its weekly hours (a Saturday 10:00-14:00),
    with that day's hours replacing the week's."""

    __tablename__ = "extra_open_days"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
