"""Contacts: created sealed by the public app, listed and read by the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from utvag.calendar.due import CallbackWindow, due_time
from utvag.calendar.hours import OfficeCalendar
from utvag.clock import utcnow
from utvag.repo import outbox
from utvag.repo.outbox import ReadyJob
from utvag.repo.teams import calendar_for
from utvag.store.models import (
    CallFrom,
    Contact,
    ContactChannel,
    ContactKind,
    ContactStatus,
    OutboxEntry,
    Team,
)
from utvag.store.models.contact import queue_due_at_for

NEW_CONTACT_JOB = "notify_new_contact"
CONTACT_DUE_JOB = "notify_contact_due"
# The person asked, with their code, to be called (the worker reopens the call).
CALL_AGAIN_JOB = "call_again_requested"
# A hotline caller chose which number we may call from (the worker records it).
CALL_FROM_JOB = "call_from_chosen"
DUE_NOTICE_MIN_LEAD = timedelta(minutes=1)


@dataclass(frozen=True)
class SealedSubmission:
    """What the public app hands over: clear queue fields and sealed bytes only."""

    kind: str
    channel: str
    wants_callback: bool
    callback_window: CallbackWindow | None
    key_id: str
    sealed_content: bytes
    receipt_digest: str
    reply_public_key: bytes
    callback_day: date | None = None
    call_digest: str | None = None
    # RECEIVED joins the queue; UNVERIFIED waits outside it (a flood).
    status: ContactStatus = ContactStatus.RECEIVED
    # The public site's language, and the person's own answer, if any.
    language: str | None = None
    under_18: bool | None = None
    # Which number we may call from (the person's choice; neutral unless
    # they chose the hotline's), and the HMAC of the code's keypad form.
    call_from: CallFrom = CallFrom.NEUTRAL
    keypad_digest: str | None = None
    # Sent after the no-JavaScript wait: never evicted from the unverified list.
    waited: bool = False


# Built once: a statement built per request (values coerced, cache key
# computed) cost more than the INSERT itself. The table, not the mapped
# class: no ORM bookkeeping for a row nothing here reads back.
_CONTACTS = cast(Table, Contact.__table__)
_OUTBOX = cast(Table, OutboxEntry.__table__)
_INSERT_CONTACT = insert(_CONTACTS).returning(_CONTACTS.c.id)
# The columns a submission sets (the rest take their defaults).
_SUBMITTED = (
    "team_id",
    "kind",
    "channel",
    "wants_callback",
    "callback_window",
    "created_at",
    "callback_day",
    "due_at",
    "queue_due_at",
    "key_id",
    "sealed_content",
    "receipt_digest",
    "reply_public_key",
    "call_digest",
    "status",
    "language",
    "under_18",
    "call_from",
    "keypad_digest",
    "waited",
)


def _insert_contact_and_notice() -> ReturningInsert[Any]:
    """PostgreSQL only: the contact and its new-contact notice in one
    statement, one round trip fewer per submission (SQLite has no INSERT in
    a WITH, and no round trips to save)."""
    new = (
        insert(_CONTACTS)
        .values({name: bindparam(name, type_=_CONTACTS.c[name].type) for name in _SUBMITTED})
        .returning(_CONTACTS.c.id)
        .cte("new_contact")
    )
    return (
        insert(_OUTBOX)
        .from_select(
            ["job_name", "job_args", "created_at", "enqueued_at", "enqueue_count"],
            select(
                literal(NEW_CONTACT_JOB),
                func.json_build_array(new.c.id),
                bindparam("notice_created_at", type_=_OUTBOX.c.created_at.type),
                bindparam("enqueued_at", type_=_OUTBOX.c.enqueued_at.type),
                bindparam("enqueue_count", type_=_OUTBOX.c.enqueue_count.type),
            ),
        )
        .returning(_OUTBOX.c.id, _OUTBOX.c.job_args)
    )


_INSERT_CONTACT_AND_NOTICE = _insert_contact_and_notice()


@dataclass(frozen=True)
class StoredContact:
    """A contact just written, as the request that wrote it needs it."""

    id: int
    due_at: datetime
    # The new-contact notice, and a due notice if it is due later (the relay
    # sends that one when it is due).
    jobs: list[ReadyJob]


def insert_contact(
    session: Session,
    team_id: int,
    submission: SealedSubmission,
    calendar: OfficeCalendar,
    now: datetime | None = None,
    sent_by_caller: bool = False,
) -> StoredContact:
    """Store a contact and, in the same transaction, its jobs: plain INSERTs,
    nothing loaded into the session (a public submission's hot path).

    With ``sent_by_caller`` the caller promises to send the immediate job
    right after commit (``dispatch.send_after_commit``), so it is written
    already marked as sent; otherwise the worker's relay sends it.
    """
    now = now or utcnow()
    window = submission.callback_window or CallbackWindow.ASAP
    due_at = due_time(calendar, window, now, submission.callback_day)
    row = {
        "team_id": team_id,
        "kind": submission.kind,
        "channel": submission.channel,
        "wants_callback": submission.wants_callback,
        "callback_window": submission.callback_window.value if submission.callback_window else None,
        "created_at": now,
        "callback_day": submission.callback_day,
        "due_at": due_at,
        "queue_due_at": queue_due_at_for(submission.status.value, due_at),
        "key_id": submission.key_id,
        "sealed_content": submission.sealed_content,
        "receipt_digest": submission.receipt_digest,
        "reply_public_key": submission.reply_public_key,
        "call_digest": submission.call_digest,
        "status": submission.status.value,
        "language": submission.language,
        "under_18": submission.under_18,
        "call_from": submission.call_from.value,
        "keypad_digest": submission.keypad_digest,
        "waited": submission.waited,
    }
    sending_at = now if sent_by_caller else None
    if session.get_bind().dialect.name == "postgresql":
        entry_id, job_args = session.execute(
            _INSERT_CONTACT_AND_NOTICE,
            {
                **row,
                "notice_created_at": now,
                "enqueued_at": sending_at,
                "enqueue_count": 1 if sending_at is not None else 0,
            },
        ).one()
        contact_id = int(job_args[0])
        jobs = [ReadyJob(entry_id, NEW_CONTACT_JOB, (contact_id,))]
    else:
        contact_id = session.execute(_INSERT_CONTACT, row).scalar_one()
        jobs = [outbox.insert_job(session, NEW_CONTACT_JOB, contact_id, sending_at=sending_at)]
    if due_at > now + DUE_NOTICE_MIN_LEAD:
        # Outside hours: the console also hears when it becomes due.
        jobs.append(outbox.insert_job(session, CONTACT_DUE_JOB, contact_id, run_at=due_at))
    return StoredContact(contact_id, due_at, jobs)


def create_contact(
    session: Session,
    team: Team,
    submission: SealedSubmission,
    now: datetime | None = None,
    calendar: OfficeCalendar | None = None,
) -> tuple[Contact, list[ReadyJob]]:
    """``insert_contact``, returning the contact loaded in the session, to
    change it further there; its jobs are left to the relay."""
    stored = insert_contact(
        session, team.id, submission, calendar or calendar_for(session, team), now
    )
    return session.get_one(Contact, stored.id), stored.jobs


_MARK_NOTIFIED = (
    update(_CONTACTS)
    .where(_CONTACTS.c.id == bindparam("contact_id"), _CONTACTS.c.notified_at.is_(None))
    .values(notified_at=bindparam("now"))
    .returning(_CONTACTS.c.team_id)
)


def mark_notified(session: Session, contact_id: int, now: datetime) -> int | None:
    """Mark the contact announced and return its team, in one UPDATE (its
    sealed bytes never loaded); None if it was announced before or is gone."""
    team_id: int | None = session.execute(
        _MARK_NOTIFIED, {"contact_id": contact_id, "now": now}
    ).scalar()
    return team_id


# Complete a due notice's outbox entry and, if this run completed it, return
# the team of the contact if it is in the queue and due by then (NULL if not:
# a NULL queue_due_at, out of the queue, is never <= anything).
_COMPLETE_DUE_NOTICE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("entry_id"), _OUTBOX.c.completed_at.is_(None))
    .values(completed_at=bindparam("now"))
    .returning(
        select(_CONTACTS.c.team_id)
        .where(
            _CONTACTS.c.id == bindparam("contact_id"),
            _CONTACTS.c.queue_due_at <= bindparam("due_by"),
        )
        .scalar_subquery()
    )
)


def complete_due_notice(
    session: Session, entry_id: int, contact_id: int, now: datetime, *, due_by: datetime
) -> int | None:
    """One statement for a due notice (``CONTACT_DUE_JOB``): the team to tell,
    or None: the contact moved on, or the entry was completed before (a job
    delivered twice announces once)."""
    team_id: int | None = session.execute(
        _COMPLETE_DUE_NOTICE,
        {"entry_id": entry_id, "now": now, "contact_id": contact_id, "due_by": due_by},
    ).scalar()
    return team_id


def call_again(
    session: Session,
    team: Team,
    contact: Contact,
    now: datetime | None = None,
    call_from: CallFrom | None = None,
) -> list[OutboxEntry]:
    """The person asked, with their code, to be called: the same contact goes
    back in the call queue, due at the first open instant, with a fresh count
    of attempts, and from the number they chose now (if they were asked).
    Returns the due notice to send, if the office is closed."""
    now = now or utcnow()
    if call_from is not None:
        contact.call_from = call_from.value
    contact.wants_callback = True
    contact.callback_window = CallbackWindow.ASAP.value
    contact.callback_day = None
    contact.status = ContactStatus.RECEIVED.value
    contact.attempt_count = 0
    contact.closed_at = None
    contact.claimed_by_id = None
    contact.claim_expires_at = None
    contact.due_at = due_time(calendar_for(session, team), CallbackWindow.ASAP, now)
    if contact.due_at > now + DUE_NOTICE_MIN_LEAD:
        return [schedule_due_notice(session, contact)]
    return []


def contact_by_call_digest(session: Session, call_digest: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.call_digest == call_digest))


def contact_by_keypad_digest(session: Session, keypad_digest: str) -> Contact | None:
    """The contact whose receipt code has this keypad form, if exactly one
    has: two codes sharing a keypad form (about one pair in 10**15) open
    neither, rather than the wrong one."""
    found = session.scalars(
        select(Contact).where(Contact.keypad_digest == keypad_digest).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def schedule_due_notice(session: Session, contact: Contact) -> OutboxEntry:
    """A content-free "a contact is due" notice for the console, at its due time."""
    return outbox.add_job(session, CONTACT_DUE_JOB, contact.id, run_at=contact.due_at)


def create_referral(
    session: Session,
    team: Team,
    referred_from: Contact,
    *,
    key_id: str,
    sealed_content: bytes,
    wants_callback: bool,
    now: datetime | None = None,
) -> Contact:
    """A contact of its own for the person a relative called about.

    Staff typed what they know (sealed in the console); that person was never
    given a receipt, so there is none to look up.
    """
    now = now or utcnow()
    contact = Contact(
        team_id=team.id,
        kind=ContactKind.DEFECTOR.value,
        channel=ContactChannel.REFERRAL.value,
        wants_callback=wants_callback,
        callback_window=CallbackWindow.ASAP.value if wants_callback else None,
        created_at=now,
        due_at=due_time(calendar_for(session, team), CallbackWindow.ASAP, now),
        key_id=key_id,
        sealed_content=sealed_content,
        referred_from_id=referred_from.id,
    )
    session.add(contact)
    session.flush()
    outbox.add_job(session, NEW_CONTACT_JOB, contact.id)
    return contact


@dataclass(frozen=True)
class RecordedContact:
    """A contact staff record by hand (a walk-in, a call to a desk phone, a
    referral from the police or social services): sealed in the console like
    any contact; that person was never given a receipt."""

    kind: ContactKind
    channel: ContactChannel
    wants_callback: bool
    key_id: str
    sealed_content: bytes
    recorded_by_id: int
    taken_by_id: int
    under_18: bool | None = None
    call_from: CallFrom = CallFrom.NEUTRAL


def record_contact(
    session: Session, team: Team, recorded: RecordedContact, now: datetime | None = None
) -> tuple[Contact, list[OutboxEntry]]:
    """Store it and its jobs; worked and counted like every other contact."""
    now = now or utcnow()
    window = CallbackWindow.ASAP if recorded.wants_callback else None
    contact = Contact(
        team_id=team.id,
        kind=recorded.kind.value,
        channel=recorded.channel.value,
        wants_callback=recorded.wants_callback,
        callback_window=window.value if window else None,
        created_at=now,
        due_at=due_time(calendar_for(session, team), CallbackWindow.ASAP, now),
        key_id=recorded.key_id,
        sealed_content=recorded.sealed_content,
        recorded_by_id=recorded.recorded_by_id,
        taken_by_id=recorded.taken_by_id,
        under_18=recorded.under_18,
        call_from=recorded.call_from.value,
    )
    session.add(contact)
    session.flush()
    return contact, [outbox.add_job(session, NEW_CONTACT_JOB, contact.id)]


def contact_by_receipt(session: Session, receipt_digest: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.receipt_digest == receipt_digest))


def contact_for_team(session: Session, team_id: int, contact_id: int) -> Contact | None:
    return session.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.team_id == team_id)
    )
