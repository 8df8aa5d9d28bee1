"""The worker's side of the hotline: leave nothing at Twilio.

Twilio keeps every call in its call log, with the caller's number, and the
audio of every recording, until someone deletes them. These jobs do that:
``forget_call`` deletes a call and its legs once it has ended,
``store_voice_message`` fetches a message's audio, seals it to the team key,
stores it, and only then deletes it at Twilio; whatever keeps it from being
stored, it is still deleted there.

The job carries Twilio's id locked under the auth token
(``crypto.job_secrets``); when the job is done its arguments are blanked.
A failure (Twilio answering 500, a timeout, a call still in progress) raises,
and the outbox relay runs the job again a few minutes later, until Twilio
confirms. Every step is safe to repeat.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from crypto.errors import CryptoError, DecryptionError
from crypto.job_secrets import job_digest, unlock_job_value
from crypto.sealing import seal
from utvag.clock import utcnow
from utvag.config import TwilioConfig
from utvag.jobs import context
from utvag.jobs.queue_events import announce_queue_change
from utvag.repo import outbox
from utvag.repo.teams import TeamError, active_team_key
from utvag.store.db import transaction
from utvag.store.models import Contact, OutboxEntry, VoiceMessage
from utvag.telephony.twilio_api import RecordingTooLarge, TwilioApi, TwilioUnavailable

log = logging.getLogger(__name__)


# How long the worker keeps asking Twilio for a recording it will not hand
# over (an error, a timeout, every few minutes) before deleting it unheard.
FETCH_PATIENCE = timedelta(hours=24)


class HotlineNotConfigured(Exception):
    """The worker has no Twilio settings; the job waits until it has."""


def _twilio(ctx: context.AppContext) -> TwilioConfig:
    if ctx.config.twilio is None:
        raise HotlineNotConfigured("UTVAG_TWILIO_* is not set for the worker")
    return ctx.config.twilio


def _finish(outbox_id: int) -> None:
    """Complete the entry and blank its arguments: nothing left to link."""
    with transaction(context.current().session_factory) as session:
        entry = session.get(OutboxEntry, outbox_id)
        if entry is not None:
            entry.job_args = []
        outbox.mark_completed(session, outbox_id)


def _is_done(outbox_id: int) -> bool:
    with context.current().session_factory() as session:
        entry = session.get(OutboxEntry, outbox_id)
        return entry is None or entry.completed_at is not None


def _unlock(twilio: TwilioConfig, outbox_id: int, locked: str) -> str | None:
    try:
        return unlock_job_value(twilio.auth_token, locked)
    except DecryptionError:
        # Locked under an auth token since changed: no retry can open it.
        log.warning("outbox entry %s: its Twilio id does not open (auth token changed?)", outbox_id)
        return None


def forget_call(outbox_id: int, locked_call_sid: str) -> None:
    """Delete a hotline call and its legs at Twilio."""
    ctx = context.current()
    if _is_done(outbox_id):
        return
    twilio = _twilio(ctx)
    call_sid = _unlock(twilio, outbox_id, locked_call_sid)
    if call_sid is not None:
        try:
            with TwilioApi(twilio) as api:
                api.forget_call(call_sid)
        except TwilioUnavailable as error:
            log.info("outbox entry %s: call not deleted yet, will retry: %s", outbox_id, error)
            raise
    _finish(outbox_id)
    log.info("outbox entry %s: a hotline call is deleted at Twilio", outbox_id)


def store_voice_message(
    outbox_id: int, contact_id: int, locked_recording_sid: str, duration_seconds: int
) -> None:
    """Fetch a message's audio, seal and store it, then delete it at Twilio.

    Every way this can go ends with the recording deleted at Twilio, the
    job raising (and so retried) until Twilio confirms: a recording larger
    than the hotline ever records, a contact purged or gone, a recording
    Twilio no longer has, one that cannot be sealed (the team has no usable
    key), or one Twilio would not hand over for ``FETCH_PATIENCE`` (then it
    is deleted unheard: a lost message is better than one left at Twilio).
    """
    ctx = context.current()
    pending_since = _pending_since(outbox_id)
    if pending_since is None:
        return
    twilio = _twilio(ctx)
    recording_sid = _unlock(twilio, outbox_id, locked_recording_sid)
    if recording_sid is None:
        _finish(outbox_id)
        return
    digest = job_digest(twilio.auth_token, recording_sid)
    patience_over = utcnow() - pending_since > FETCH_PATIENCE
    try:
        with TwilioApi(twilio) as api:
            if not _stored(digest):
                audio = _fetch(api, outbox_id, recording_sid, patience_over=patience_over)
                if audio is not None:
                    _store(contact_id, digest, audio, duration_seconds)
            api.forget_recording(recording_sid)
    except TwilioUnavailable as error:
        log.info("outbox entry %s: recording not done yet, will retry: %s", outbox_id, error)
        raise
    _finish(outbox_id)
    log.info("outbox entry %s: a voice message is done and deleted at Twilio", outbox_id)


def _pending_since(outbox_id: int) -> datetime | None:
    """When the job was made, or None if it is done (or gone)."""
    with context.current().session_factory() as session:
        entry = session.get(OutboxEntry, outbox_id)
        if entry is None or entry.completed_at is not None:
            return None
        return entry.created_at


def _fetch(
    api: TwilioApi, outbox_id: int, recording_sid: str, *, patience_over: bool
) -> bytes | None:
    """The audio, or None when there is none to keep (then it is deleted)."""
    try:
        audio = api.fetch_recording(recording_sid)
    except RecordingTooLarge:
        log.warning("outbox entry %s: a recording too large to be ours; not kept", outbox_id)
        return None
    except TwilioUnavailable:
        if not patience_over:
            raise
        log.warning("outbox entry %s: a recording not fetched in a day; not kept", outbox_id)
        return None
    if audio is None:
        log.warning("outbox entry %s: Twilio had no recording to fetch", outbox_id)
    return audio


def _stored(digest: str) -> bool:
    with context.current().session_factory() as session:
        found = session.scalar(
            select(VoiceMessage.id).where(VoiceMessage.recording_digest == digest)
        )
        return found is not None


def _store(contact_id: int, digest: str, audio: bytes, duration_seconds: int) -> None:
    """Seal and store the audio, unless there is nothing to keep it for (the
    contact is gone) or nothing to seal it with; a database fault raises."""
    ctx = context.current()
    team_id = None
    try:
        with transaction(ctx.session_factory) as session:
            contact = session.get(Contact, contact_id)
            if contact is None or contact.purged_at is not None:
                # Gone (retention, a deleted team): nothing to keep it for;
                # it is still deleted at Twilio.
                log.info("contact %s is gone; its voice message is not kept", contact_id)
                return
            try:
                key = active_team_key(session, contact.team_id)
                sealed_audio = seal(key.public_key, audio)
            except (TeamError, CryptoError, ValueError) as error:
                log.warning(
                    "contact %s: a voice message could not be sealed (%s); not kept",
                    contact_id,
                    type(error).__name__,
                )
                return
            session.add(
                VoiceMessage(
                    contact_id=contact.id,
                    key_id=key.key_id,
                    sealed_audio=sealed_audio,
                    duration_seconds=max(0, duration_seconds),
                    recording_digest=digest,
                )
            )
            team_id = contact.team_id
    except IntegrityError:
        return  # stored by a copy of this job running at the same time
    announce_queue_change(ctx.redis_client, team_id)
    log.info("contact %s: a voice message is stored", contact_id)


def log_switchboard_outcome(outbox_id: int, contact_id: int, member_id: int, outcome: str) -> None:
    """Twilio said how the person's leg of a switchboard call ended (no
    answer, busy): log it in the call log for the member who called, as if
    they had logged it themselves. If they already logged something (the
    claim is gone), theirs stands and this is dropped."""
    from utvag.repo import audit
    from utvag.repo.calls import CallError, NoSuchContact, record_outcome
    from utvag.store.models import CallOutcome, StaffMember, Team

    ctx = context.current()
    with transaction(ctx.session_factory) as session:
        entry = session.get(OutboxEntry, outbox_id)
        contact = session.get(Contact, contact_id)
        # Only the columns the worker may read (roles.sql): no key, no secret.
        member = session.scalar(
            select(StaffMember)
            .options(load_only(StaffMember.id, StaffMember.team_id, StaffMember.username))
            .where(StaffMember.id == member_id)
        )
        team = session.get(Team, contact.team_id) if contact is not None else None
        if entry is not None and entry.completed_at is None and team and member:
            try:
                # record_outcome checks everything before it changes anything.
                record_outcome(session, team, contact_id, member, CallOutcome(outcome))
                audit.record(
                    session,
                    "call_outcome",
                    team_id=team.id,
                    actor_id=member.id,
                    actor_name=member.username,
                    contact_id=contact_id,
                    details={"outcome": outcome, "via": "switchboard"},
                )
            except (CallError, NoSuchContact, ValueError):
                log.info("outbox entry %s: the call was logged by hand already", outbox_id)
        outbox.mark_completed(session, outbox_id)
    log.info("outbox entry %s: a switchboard call's outcome is done", outbox_id)
