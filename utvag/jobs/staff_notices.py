"""Sending one content-free staff notice, and leaving nothing of it at Twilio.

The SMS says one fixed sentence, ``NOTICE_TEXT``, whatever is waiting: no
count, no name, nothing sealed. The job takes the notice's id only, reads
the member's notice phone when it runs (a member who turned notices off in
between gets nothing), sends, and deletes the message at Twilio, like the
hotline's calls (``utvag.jobs.hotline``).

Nothing is sent outside the schedule: a notice not sent within
``SEND_WITHIN`` of its time is dropped. Nothing is sent twice:
``send_started_at`` is committed before Twilio is asked, and a job that
finds it set (a worker killed, Redis lost, Twilio's answer lost) first asks
Twilio for that message and sends only if Twilio has none. Nothing is
lost: the outbox runs the job again until Twilio has deleted the message.
Every step is safe to repeat.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from crypto.errors import DecryptionError
from crypto.job_secrets import lock_job_value, unlock_job_value
from utvag.clock import utcnow
from utvag.config import TwilioConfig
from utvag.jobs import context
from utvag.repo import outbox
from utvag.repo.staff_notices import NOTICE_TEXT
from utvag.store.db import transaction
from utvag.store.models import OutboxEntry, StaffMember, StaffNotice
from utvag.telephony.twilio_api import TwilioApi, TwilioUnavailable

log = logging.getLogger(__name__)

# A notice the worker could not send within this of its time (Redis or the
# worker down) is not sent at all: a notice at 15:00 for 12:00 would ring at
# a time nobody scheduled, and tell of something else.
SEND_WITHIN = timedelta(minutes=30)
# Clocks differ: Twilio's record of a message may be stamped a little before
# our own note that we were about to send it.
CLOCK_SLACK = timedelta(minutes=2)


class NoticesNotConfigured(Exception):
    """The worker has no Twilio settings; the job waits until it has."""


def _twilio() -> TwilioConfig:
    twilio = context.current().config.twilio
    if twilio is None:
        raise NoticesNotConfigured("UTVAG_TWILIO_* is not set for the worker")
    return twilio


def send_staff_notice(outbox_id: int, notice_id: int) -> None:
    """Send the notice (once), then delete it at Twilio."""
    factory = context.current().session_factory
    with factory() as session:
        entry = session.get(OutboxEntry, outbox_id)
        notice = session.get(StaffNotice, notice_id)
        if entry is None or entry.completed_at is not None:
            return
        if notice is None or notice.done_at is not None:
            _finish(outbox_id, notice_id)
            return
        sent, started = notice.sent_at is not None, notice.send_started_at
        late = utcnow() > notice.slot_at + SEND_WITHIN
        locked_sid = notice.locked_message_sid
        phone = session.scalar(
            select(StaffMember.notice_phone).where(
                StaffMember.id == notice.staff_id, StaffMember.disabled_at.is_(None)
            )
        )
    twilio = _twilio()
    try:
        with TwilioApi(twilio) as api:
            if not sent:
                if phone is None:
                    # Turned off (or disabled) before it went: not sent. (If a
                    # try had begun, its message, if any, is out of our reach.)
                    log.info("staff notice %s: notices turned off since; not sent", notice_id)
                    _finish(outbox_id, notice_id)
                    return
                found = None
                if started is not None:
                    found = api.find_sms(phone, NOTICE_TEXT, started - CLOCK_SLACK)
                if found is None and late:
                    log.warning("staff notice %s: too late for its time; not sent", notice_id)
                    _finish(outbox_id, notice_id)
                    return
                if found is None:
                    _mark_started(notice_id)
                    found = api.send_sms(phone, NOTICE_TEXT)
                locked_sid = lock_job_value(twilio.auth_token, found)
                _mark_sent(notice_id, locked_sid)
            if locked_sid is not None:
                sid = _unlock(twilio, notice_id, locked_sid)
                if sid is not None:
                    api.forget_message(sid)
    except TwilioUnavailable as error:
        log.info("staff notice %s: not done yet, will retry: %s", notice_id, error)
        raise
    _finish(outbox_id, notice_id)
    log.info("staff notice %s: sent and deleted at Twilio", notice_id)


def _unlock(twilio: TwilioConfig, notice_id: int, locked: str) -> str | None:
    try:
        return unlock_job_value(twilio.auth_token, locked)
    except DecryptionError:
        log.warning("staff notice %s: its Twilio id does not open (auth token changed?)", notice_id)
        return None


def _mark_started(notice_id: int) -> None:
    with transaction(context.current().session_factory) as session:
        notice = session.get(StaffNotice, notice_id)
        if notice is not None:
            notice.send_started_at = utcnow()


def _mark_sent(notice_id: int, locked_sid: str) -> None:
    with transaction(context.current().session_factory) as session:
        notice = session.get(StaffNotice, notice_id)
        if notice is not None:
            notice.sent_at = utcnow()
            notice.locked_message_sid = locked_sid


def _finish(outbox_id: int, notice_id: int) -> None:
    """Done: Twilio's id blanked, the outbox entry completed."""
    with transaction(context.current().session_factory) as session:
        notice = session.get(StaffNotice, notice_id)
        if notice is not None:
            notice.locked_message_sid = None
            notice.done_at = notice.done_at or utcnow()
        outbox.mark_completed(session, outbox_id)
