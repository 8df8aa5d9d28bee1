from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class AnsweredCall(Base):
    """A forwarded hotline call the duty phone took by pressing 1.

    The screening whisper runs on the duty phone's leg, which does not know
    the caller's number; the caller's leg learns when the call ends whether
    it was taken, from this row. Only an HMAC of the caller's CallSid, as on
    ``Contact.call_digest``; the worker deletes rows after a day.
    """

    __tablename__ = "answered_calls"

    call_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
