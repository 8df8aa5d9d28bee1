"""Avhopparmedel: the police's support money for a defector, applied for by
the municipality through the team leader (Eskilstuna's agreement) as a step
of an accepted case.

The days, the outcome and the amounts in whole kronor are in clear (the board
counts them, and they say nothing a person wrote); any note is sealed.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.store.db import Base


class FundsOutcome(enum.StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class FundsApplication(Base):
    """One application for avhopparmedel: applied, then granted or refused."""

    __tablename__ = "case_funds_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    applied_on: Mapped[date] = mapped_column(Date)
    amount_applied_kr: Mapped[int] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    decided_on: Mapped[date | None] = mapped_column(Date, default=None)
    amount_granted_kr: Mapped[int | None] = mapped_column(default=None)
    sealed_note: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
