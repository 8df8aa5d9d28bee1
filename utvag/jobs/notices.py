"""The notices: a contact arrived, became due, wrote again, asked to be
called again, or chose the number we may call from. Each takes ids only,
never content, and is idempotent (the outbox may deliver a job more than
once); each that changes the queue ends by bumping the team's queue counter.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from utvag.clock import utcnow
from utvag.jobs import context
from utvag.jobs.queue_events import announce_queue_change
from utvag.repo import contacts, outbox
from utvag.store.db import transaction
from utvag.store.models import CallFrom, Contact, ContactMessage, OutboxEntry, Team

log = logging.getLogger(__name__)

# Due notices may run a little early or late; this is "due now" for them.
DUE_SLACK = timedelta(minutes=1)


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
