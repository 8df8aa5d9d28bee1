"""The social services' investigation of a case and their decision (SoL).

Eskilstuna's agreement: social services investigate the person's need of
support and decide on it; Göteborg's: the city coordinates, social services
decide formally. The days, the outcome and who opened and decided are in
clear (the board counts them, the console shows them); the reason is sealed.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class DecisionOutcome(enum.StrEnum):
    """Granted (the case may be accepted) or refused (the case ends)."""

    GRANTED = "granted"
    REFUSED = "refused"


class Investigation(Base):
    """One case's investigation (utredning) and, once made, its decision."""

    __tablename__ = "case_investigations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), unique=True, index=True
    )
    opened_on: Mapped[date] = mapped_column(Date)
    # The member who opened the investigation (chosen from the team).
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    decided_on: Mapped[date | None] = mapped_column(Date, default=None)
    # Who decided: the member who recorded the decision, holding the right.
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    sealed_reason: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
