from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, event
from sqlalchemy.orm import Mapped, mapped_column

from utvag.clock import utcnow
from utvag.store.db import Base, UTCDateTime


class ContactKind(enum.StrEnum):
    DEFECTOR = "defector"
    RELATIVE = "relative"


class ContactChannel(enum.StrEnum):
    """How the contact came (the board's figures are split by it)."""

    WEB = "web"
    PHONE = "phone"
    # Created by staff from a relative's contact about someone who wants out.
    REFERRAL = "referral"
    # Recorded by staff: not through the site or the hotline.
    WALK_IN = "walk_in"
    STAFF_PHONE = "staff_phone"
    POLICE = "police"
    SOCIAL_SERVICES = "social_services"
    OTHER = "other"


# The channels staff record by hand.
RECORDED_CHANNELS = (
    ContactChannel.WALK_IN,
    ContactChannel.STAFF_PHONE,
    ContactChannel.POLICE,
    ContactChannel.SOCIAL_SERVICES,
    ContactChannel.OTHER,
)


class CallFrom(enum.StrEnum):
    """Which number the person lets us call them from. Their phone keeps it in
    its call log, and whoever holds the phone later can ring it back."""

    # A second number that names nothing when rung (the default): it plays a
    # neutral sentence and offers nothing without the receipt code.
    NEUTRAL = "neutral"
    # The hotline's published number, whose greeting names the programme.
    HOTLINE = "hotline"


class ContactStatus(enum.StrEnum):
    RECEIVED = "received"
    # Re-slotted after a call that did not reach the person.
    WAITING = "waiting"
    REACHED = "reached"
    CASE_OPENED = "case_opened"
    INFO_GIVEN = "info_given"
    # Referred, with consent, to a service outside (utvag.repo.outside_referrals).
    REFERRED_OUT = "referred_out"
    UNREACHABLE = "unreachable"
    WRONG_NUMBER = "wrong_number"
    CLOSED = "closed"
    # Over a network's hourly limit without a proof of work: kept sealed, out
    # of the queue, until staff look through them (then received, or junk).
    UNVERIFIED = "unverified"
    # Dismissed by staff as junk (a flood), in bulk, without opening it.
    JUNK = "junk"
    # Unverified and sent with no effort at all, then pushed out of the full
    # unverified list by newer ones (utvag.repo.eviction): everything sealed is
    # gone; the receipt still finds it, to tell the person we did not keep it.
    EVICTED = "evicted"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({ContactStatus.RECEIVED, ContactStatus.WAITING, ContactStatus.REACHED})
# The same, as stored in the status column, for queries.
OPEN_STATUS_VALUES = tuple(sorted(status.value for status in OPEN_STATUSES))


class Contact(Base):
    """One person's contact. Only what the queue needs is in clear; everything
    the person typed or said, their number included, is in ``sealed_content``.
    """

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_team_id_due_at", "team_id", "due_at"),
        # The queue, a page at a time, on both databases: one index range.
        Index("ix_contacts_queue", "team_id", "wants_callback", "queue_due_at", "id"),
        Index("ix_contacts_team_id_status_id", "team_id", "status", "id"),
        Index("ix_contacts_team_id_unseen_follow_up_at", "team_id", "unseen_follow_up_at"),
        Index("ix_contacts_team_id_closed_at", "team_id", "closed_at"),
        Index("ix_contacts_team_id_acute_risk", "team_id", "acute_risk"),
        Index("ix_contacts_team_id_created_at", "team_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    wants_callback: Mapped[bool] = mapped_column(default=False)
    # "asap", "morning" or "afternoon": when the person said it is safe to call.
    callback_window: Mapped[str | None] = mapped_column(String(20), default=None)
    # The day the person asked to be called, for the "a specific day" window.
    callback_day: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(20), default=ContactStatus.RECEIVED.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # ``due_at`` while the contact is open, else empty: what the queue sorts
    # and pages on. Kept by the mapper (below), never set by hand.
    queue_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When the oldest follow-up no one has opened yet arrived; empty once
    # staff open the contact. Brings even a closed contact back to view.
    unseen_follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    attempt_count: Mapped[int] = mapped_column(default=0)
    # The sealed envelope carries its key id too; the column lets a key
    # rotation find what is still sealed to an old key without opening it.
    key_id: Mapped[str] = mapped_column(String(16))
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    # Empty for contacts staff created: that person was never given a receipt.
    receipt_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    # For a contact made on the hotline: an HMAC of Twilio's CallSid under a
    # server secret, so a webhook replayed with the same signature finds the
    # contact it already made instead of making another.
    call_digest: Mapped[str | None] = mapped_column(
        String(64), unique=True, index=True, default=None
    )
    reply_public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # For a referral: the contact (a relative's) it came from.
    referred_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    # Set by the worker once the content-free "new contact" notice went out.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The lease that keeps two staff from calling the same person at once.
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Facts staff need before opening it, coarse and few (README, "What is
    # stored in clear"): the public site's language the person wrote in, and
    # whether they said they are under 18 (None: not said).
    language: Mapped[str | None] = mapped_column(String(5), default=None)
    under_18: Mapped[bool | None] = mapped_column(default=None)
    # Which number we may call from (``CallFrom``): the person's own choice,
    # in clear because the switchboard and whoever calls must see it before
    # opening anything; it says nothing about them beyond that choice.
    call_from: Mapped[str] = mapped_column(
        String(10), default=CallFrom.NEUTRAL.value, server_default=CallFrom.NEUTRAL.value
    )
    # An HMAC of the receipt code's keypad form (``crypto.receipts.
    # keypad_digest``): a call to the number that names nothing finds the
    # contact from the digits typed, without a scan. Not unique: two codes
    # may share a keypad form (about one pair in 10**15), and then neither
    # opens by keypad.
    keypad_digest: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    # The person waited out the public form's short wait (no JavaScript
    # needed) before sending: if a flood puts it in the unverified list, it
    # is kept there and never evicted (README, "Under a flood").
    waited: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Acute risk: listed above everything else, with the escalation step.
    acute_risk: Mapped[bool] = mapped_column(default=False, server_default="0")
    # For a contact staff recorded by hand: who typed it in, and who met or
    # spoke with the person, when it was someone else.
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    taken_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), default=None
    )
    # When the retention purge deleted everything sealed; the clear queue
    # fields stay for the yearly follow-up.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


@event.listens_for(Contact, "before_insert")
@event.listens_for(Contact, "before_update")
def _keep_queue_due_at(_mapper: object, _connection: object, contact: Contact) -> None:
    """One place decides what is in the queue: an open status."""
    wanted = queue_due_at_for(contact.status, contact.due_at)
    if contact.queue_due_at != wanted:
        contact.queue_due_at = wanted


def queue_due_at_for(status: str | None, due_at: datetime | None) -> datetime | None:
    """A contact is in the queue, at its due time, while its status is open.
    The ORM keeps this on every write (above); a plain INSERT
    (``repo.contacts.insert_contact``) asks here."""
    return due_at if ContactStatus(status or ContactStatus.RECEIVED.value).is_open else None
