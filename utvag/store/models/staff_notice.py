from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class NoticeRound(Base):
    """That a team's scheduled notice time was looked at (whatever it found):
    each time is decided once, so a contact arriving at 12:05 never sends a
    notice at 12:05. Deleted after a couple of days
    (``utvag.repo.staff_notices``)."""

    __tablename__ = "notice_rounds"
    __table_args__ = (UniqueConstraint("team_id", "slot_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # The scheduled instant (UTC), not when the worker got to it.
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffNotice(Base):
    """One content-free SMS to one member for one scheduled time, and how far
    sending it has come. The text is fixed (``utvag.jobs.staff_notices``);
    nothing here says what was waiting.

    ``send_started_at`` is written and committed before Twilio is asked, so a
    job that ran again after a fault first asks Twilio whether the message
    exists rather than sending a second one. Twilio's id is kept only locked
    under the auth token (``crypto.job_secrets``) until Twilio has deleted
    the message, then blanked."""

    __tablename__ = "staff_notices"
    __table_args__ = (UniqueConstraint("staff_id", "slot_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"))
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    locked_message_sid: Mapped[str | None] = mapped_column(String(200), default=None)
    # Done: deleted at Twilio, or not sent at all (the member turned notices
    # off in between, or was disabled).
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
