from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime

# At opening and at noon, on open days; members get nothing until they ask.
DEFAULT_NOTICE_TIMES = "öppning, 12:00"


class PublicListing(enum.StrEnum):
    """Whether a person finds the team on the public site (README, "Several
    programmes on one install"). The lead chooses; a new team is hidden."""

    # Not on the public site at all: its path answers like an unknown team.
    HIDDEN = "hidden"
    # Its own path works (a link the programme hands out), the list omits it.
    DIRECT = "direct"
    # On the region's start page, and its path works.
    LISTED = "listed"


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
    # When members who asked for it get the content-free SMS that something
    # is waiting, on open days (``utvag.calendar.notice_times``). Empty: never.
    notice_times: Mapped[str] = mapped_column(
        String(100), default=DEFAULT_NOTICE_TIMES, server_default=DEFAULT_NOTICE_TIMES
    )
    # Social services decide (Eskilstuna, Göteborg): a case is accepted only
    # after a decision recorded by a member holding the decider right.
    decision_needs_decider: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The agreement's clocks (``utvag.repo.checklists.CLOCKS``, set from the
    # programme's preset): the window the mapping's due day must fall in,
    # counted from acceptance; how often the police check the registers in
    # an open case; whether the programme takes only people over 18.
    mapping_min_days: Mapped[int] = mapped_column(default=14, server_default="14")
    mapping_max_days: Mapped[int] = mapped_column(default=28, server_default="28")
    register_check_days: Mapped[int] = mapped_column(default=90, server_default="90")
    adults_only: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Bumped whenever the active key or the closed days change, so the public
    # site's cache of them (intake_web.team_facts) is never stale.
    facts_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Whether the team is on the region's start page (PublicListing); the lead sets it.
    public_listing: Mapped[str] = mapped_column(
        String(10), default=PublicListing.HIDDEN.value, server_default=PublicListing.HIDDEN.value
    )
    # The region's triage team: "I don't know / would rather not say" and the
    # public pages without a team in their path come to it. At most one, set
    # with `utvag team regional SLUG`.
    regional: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
