"""The hotline's voice messages, as the console lists and plays them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.store.models import VoiceMessage


@dataclass(frozen=True)
class VoiceMessageListing:
    """What the contact page shows before anyone plays it: no audio."""

    id: int
    duration_seconds: int
    created_at: datetime


def voice_messages_for(session: Session, contact_id: int) -> list[VoiceMessageListing]:
    rows = session.execute(
        select(VoiceMessage.id, VoiceMessage.duration_seconds, VoiceMessage.created_at)
        .where(VoiceMessage.contact_id == contact_id)
        .order_by(VoiceMessage.id)
    )
    return [VoiceMessageListing(*row) for row in rows]


def voice_message_of(session: Session, contact_id: int, message_id: int) -> VoiceMessage | None:
    return session.scalar(
        select(VoiceMessage).where(
            VoiceMessage.id == message_id, VoiceMessage.contact_id == contact_id
        )
    )
