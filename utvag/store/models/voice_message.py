from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class VoiceMessage(Base):
    """A message left on the hotline's answering machine.

    The worker fetches the audio from Twilio, seals it to the team key and
    stores it here, then deletes it at Twilio; nothing but staff holding the
    team key can play it. ``recording_digest`` names the recording (a keyed
    digest, see ``crypto.job_secrets``) so a callback Twilio sends twice
    stores it once. The length in seconds is in clear: it is what Twilio
    reports and tells staff whether anything was said before they open it.
    """

    __tablename__ = "voice_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[str] = mapped_column(String(16))
    sealed_audio: Mapped[bytes] = mapped_column(LargeBinary)
    duration_seconds: Mapped[int] = mapped_column(default=0)
    recording_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
