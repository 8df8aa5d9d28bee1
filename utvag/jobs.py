"""Background jobs. Each takes ids only, never content, and is idempotent:
the outbox may deliver a job more than once.

Every job kind names its queue in ``JOB_QUEUES``; a test checks the worker
listens on each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import redis

from utvag import context
from utvag.db import transaction, utcnow
from utvag.models import CallFrom, Contact, ContactMessage, OutboxEntry, Team
from utvag.repo import contacts, outbox

log = logging.getLogger(__name__)

NOTIFICATIONS_QUEUE = "notifications"
QUEUE_EVENTS_CHANNEL = "utvag:queue-events"
# Due notices may run a little early or late; this is "due now" for them.
DUE_SLACK = timedelta(minutes=1)


def queue_version_key(team_id: int) -> str:
    return f"utvag:queue-version:{team_id}"


def announce_queue_change(redis_client: redis.Redis, team_id: int) -> None:
    """Tell consoles of a team that its queue changed: the team id, nothing else.

    The console compares this counter to the one it last saw and shows a
    badge; no content, no e-mail.
    """
    with redis_client.pipeline(transaction=False) as pipe:  # one round trip
        pipe.incr(queue_version_key(team_id))
        pipe.publish(QUEUE_EVENTS_CHANNEL, str(team_id))
        pipe.execute()


def notify_new_contact(outbox_id: int, contact_id: int) -> None:
    """A contact arrived: bump the team's queue counter."""
    ctx = context.current()
    with transaction(ctx.session_factory) as session:
        team_id = contacts.mark_notified(session, contact_id, utcnow())
        outbox.mark_completed(session, outbox_id)
    if team_id is not None:
        announce_queue_change(ctx.redis_client, team_id)
    log.info("new-contact notice done for outbox entry %s", outbox_id)


def notify_contact_due(outbox_id: int, contact_id: int) -> None:
    """A contact became due: bump the team's queue counter, if it still is due.

    A contact re-slotted since this job was scheduled has a later job of its
    own; this one just completes. (The queue holds a contact while its status
    is open, at its due time: ``models.contact.queue_due_at_for``.)
    """
    ctx = context.current()
    now = utcnow()
    with transaction(ctx.session_factory) as session:
        team_id = contacts.complete_due_notice(
            session, outbox_id, contact_id, now, due_by=now + DUE_SLACK
        )
    if team_id is not None:
        announce_queue_change(ctx.redis_client, team_id)
    log.info("due notice done for outbox entry %s", outbox_id)


def notify_follow_up(outbox_id: int, message_id: int) -> None:
    """The person wrote again: bump the team's queue counter."""
    ctx = context.current()
    with transaction(ctx.session_factory) as session:
        message = session.get(ContactMessage, message_id)
        contact = session.get(Contact, message.contact_id) if message is not None else None
        team_id = contact.team_id if contact is not None else None
        outbox.mark_completed(session, outbox_id)
    if team_id is not None:
        announce_queue_change(ctx.redis_client, team_id)
    log.info("follow-up notice done for outbox entry %s", outbox_id)


def call_again_requested(outbox_id: int, contact_id: int, call_from: str | None = None) -> None:
    """The person asked, with their code, to be called: put the same contact
    back in the call queue, from the number they chose now (a job queued
    before they were asked carries none: their earlier choice stands). Done
    here, not by the public app, which may not change a contact
    (deploy/postgresql/roles.sql). Runs once per request: a job whose outbox
    entry is already completed does nothing."""
    ctx = context.current()
    team_id = None
    with transaction(ctx.session_factory) as session:
        entry = session.get(OutboxEntry, outbox_id)
        contact = session.get(Contact, contact_id)
        if entry is not None and entry.completed_at is None and contact is not None:
            team = session.get(Team, contact.team_id)
            if team is not None and contact.purged_at is None:
                contacts.call_again(session, team, contact, call_from=_call_from(call_from))
                team_id = team.id
        outbox.mark_completed(session, outbox_id)
    if team_id is not None:
        announce_queue_change(ctx.redis_client, team_id)
    log.info("call-again request done for outbox entry %s", outbox_id)


def call_from_chosen(outbox_id: int, contact_id: int, call_from: str) -> None:
    """A caller on the hotline answered "which number may we call you from?"
    after their call-back request was stored (with the default, the number
    that names nothing). Done here: the public app may not change a contact."""
    ctx = context.current()
    with transaction(ctx.session_factory) as session:
        entry = session.get(OutboxEntry, outbox_id)
        contact = session.get(Contact, contact_id)
        chosen = _call_from(call_from)
        if entry is not None and entry.completed_at is None and contact is not None and chosen:
            contact.call_from = chosen.value
        outbox.mark_completed(session, outbox_id)
    log.info("call-from choice done for outbox entry %s", outbox_id)


def _call_from(value: str | None) -> CallFrom | None:
    """A choice a job carries; anything unknown is no choice."""
    try:
        return CallFrom(value) if value is not None else None
    except ValueError:
        return None


# Imported here, at the end, because hotline_jobs uses announce_queue_change.
from utvag.hotline_jobs import (  # noqa: E402
    forget_call,
    log_switchboard_outcome,
    store_voice_message,
)

HOTLINE_QUEUE = "hotline"
JOB_FUNCTIONS: dict[str, Callable[..., None]] = {
    "forget_call": forget_call,
    "store_voice_message": store_voice_message,
    "log_switchboard_outcome": log_switchboard_outcome,
    "notify_new_contact": notify_new_contact,
    "notify_contact_due": notify_contact_due,
    "notify_follow_up": notify_follow_up,
    "call_again_requested": call_again_requested,
    "call_from_chosen": call_from_chosen,
}
JOB_QUEUES = {
    "forget_call": HOTLINE_QUEUE,
    "store_voice_message": HOTLINE_QUEUE,
    "log_switchboard_outcome": HOTLINE_QUEUE,
    "notify_new_contact": NOTIFICATIONS_QUEUE,
    "notify_contact_due": NOTIFICATIONS_QUEUE,
    "notify_follow_up": NOTIFICATIONS_QUEUE,
    "call_again_requested": NOTIFICATIONS_QUEUE,
    "call_from_chosen": NOTIFICATIONS_QUEUE,
}
WORKER_QUEUES = (NOTIFICATIONS_QUEUE, HOTLINE_QUEUE)
