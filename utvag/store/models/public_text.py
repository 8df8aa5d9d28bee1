"""A programme's own words on its public pages, one row per saved version."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class PublicTextSlot(enum.StrEnum):
    """Where on the public site a team's text stands. Empty (or never
    written) shows the catalogue's own text in that place."""

    # The start page's opening paragraph.
    INTRO = "intro"
    # Below the programme's name on the start page (by default the name alone).
    WHO_WE_ARE = "who_we_are"
    # The start page's "what happens when you get in touch".
    AFTER_YOU_WRITE = "after_you_write"
    # The line under the opening hours.
    HOURS_LINE = "hours_line"
    # The receipt page, by the contact's status.
    STATUS_RECEIVED = "status_received"
    STATUS_TRIED = "status_tried"
    STATUS_TALKED = "status_talked"
    STATUS_CLOSED = "status_closed"


class PublicTextVersion(Base):
    """One saved version of one text in one language. Rows are only ever
    added: the newest per (team, slot, language) is the one shown, the rest
    are its history. Public words, never about a person: kept in clear."""

    __tablename__ = "public_text_versions"
    __table_args__ = (Index("ix_public_text_versions_current", "team_id", "lang", "slot", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    slot: Mapped[str] = mapped_column(String(30))
    lang: Mapped[str] = mapped_column(String(2))
    # The restricted Markdown as the lead wrote it; "" gives the catalogue's text back.
    source: Mapped[str] = mapped_column(Text, default="")
    # What the public page shows: the source rendered and passed through nh3.
    html: Mapped[str] = mapped_column(Text, default="")
    # Who saved it (the username, as the audit trail names them).
    written_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
