"""Background jobs. Each takes ids only, never content, and is idempotent:
the outbox may deliver a job more than once.

Every job kind names its queue in ``JOB_QUEUES``; a test checks the worker
listens on each.
"""

from __future__ import annotations

import logging

from utvag import context
from utvag.db import transaction, utcnow
from utvag.models import Contact
from utvag.repo import outbox

log = logging.getLogger(__name__)

NOTIFICATIONS_QUEUE = "notifications"
QUEUE_EVENTS_CHANNEL = "utvag:queue-events"


def notify_new_contact(outbox_id: int, contact_id: int) -> None:
    """Tell the console a contact arrived: a content-free event, nothing else.

    The console listens for the team id only to refresh its queue badge; the
    event carries no content, and no e-mail is ever sent.
    """
    ctx = context.current()
    with transaction(ctx.session_factory) as session:
        contact = session.get(Contact, contact_id)
        if contact is not None and contact.notified_at is None:
            contact.notified_at = utcnow()
            team_id = contact.team_id
        else:
            team_id = None
        outbox.mark_completed(session, outbox_id)
    if team_id is not None:
        ctx.redis_client.publish(QUEUE_EVENTS_CHANNEL, str(team_id))
    log.info("new-contact notice done for outbox entry %s", outbox_id)


JOB_FUNCTIONS = {
    "notify_new_contact": notify_new_contact,
}
JOB_QUEUES = {
    "notify_new_contact": NOTIFICATIONS_QUEUE,
}
WORKER_QUEUES = (NOTIFICATIONS_QUEUE,)
