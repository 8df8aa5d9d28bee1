"""A referral to a service outside the programme, with the person's consent.

Eskilstuna: a person who does not meet the definition of a defector can get
support through hemmaplansvården, Vägvalet or the social intervention group
(SIG); a person who moves goes on to another municipality's programme; a
victim goes to victim support. The kind, the day and the consent are in
clear (the board counts referrals by kind); any note is sealed.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class ReferralKind(enum.StrEnum):
    HOME_CARE = "home_care"  # hemmaplansvård
    SIG = "sig"  # social insatsgrupp
    VICTIM_SUPPORT = "victim_support"  # brottsofferstöd
    OTHER_MUNICIPALITY = "other_municipality"  # another municipality's programme
    OTHER = "other"


class OutsideReferral(Base):
    """One referral out, from a contact or from its case."""

    __tablename__ = "outside_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[str] = mapped_column(String(30))
    referred_on: Mapped[date] = mapped_column(Date)
    # The person agreed to be referred: a referral without it is refused, so
    # this is always true; kept so the record says so on its own.
    consent: Mapped[bool] = mapped_column(default=True)
    sealed_note: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
