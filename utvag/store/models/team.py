from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class Team(Base):
    """A programme (e.g. Eskilstuna's Vägvalet) with its hours and keys."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    hours_spec: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    # The programme's own phone number, shown on the public site.
    public_phone: Mapped[str | None] = mapped_column(String(40), default=None)
    # Where hotline calls are put through inside the team's hours (E.164);
    # without it every call gets the call-back menu.
    duty_phone: Mapped[str | None] = mapped_column(String(40), default=None)
    # The team's own Twilio number (E.164), unique across the install: a call
    # whose ``To`` is this number gets this team's greeting, hours, duty phone
    # and answering machine. None: the team is reached through the
    # install-wide number (UTVAG_TWILIO_NUMBER) only.
    hotline_number: Mapped[str | None] = mapped_column(String(40), default=None, unique=True)
    # The recovery key pair: team keys are sealed to its public half too, and
    # its private half is wrapped under the recovery code printed once.
    recovery_public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32), default=None)
    wrapped_recovery_key: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # Days after a contact closes (or its case is decided) before what the
    # person wrote, their number and every note are deleted.
    retention_days: Mapped[int] = mapped_column(default=180, server_default="180")
    # After this many unanswered call attempts a contact closes as unreachable.
    max_call_attempts: Mapped[int] = mapped_column(default=3, server_default="3")
    # How long the mapping phase of an accepted case may take (kartläggning:
    # two to four weeks in Eskilstuna); the lead may set another day per case.
    mapping_days: Mapped[int] = mapped_column(default=28, server_default="28")
    # Bumped whenever the active key or the closed days change, so the public
    # site's cache of them (intake_web.team_facts) is never stale.
    facts_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
