from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class Handover(Base):
    """A contact (and its case) handed from one team to another on the install.

    Content-free by design: which teams, when, the day the person consented
    and who did it. What the person wrote moved with the contact, re-sealed
    to the receiving team's key (``triage.keys.handover``). The teams' names
    are kept as they were that day, so the line still reads after a team is
    renamed or leaves the install.
    """

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    from_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    to_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    from_team_name: Mapped[str] = mapped_column(String(200))
    to_team_name: Mapped[str] = mapped_column(String(200))
    # The person said yes to the hand-over on this day (required).
    consent_given_on: Mapped[date] = mapped_column(Date)
    handed_over_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    handed_over_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
