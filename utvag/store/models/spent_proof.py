from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.store.db import Base, UTCDateTime


class SpentProof(Base):
    """A proof of work that has been used, so it cannot be used again.

    ``digest`` is a hash of the server-issued challenge (which names no one).
    Rows go once the challenge could no longer be accepted anyway.
    """

    __tablename__ = "spent_proofs"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
