"""Sealing a submission inside the request that received it.

What the person typed is turned into one JSON document and sealed to the
team's active public key before anything touches the database; the only
plaintext copies are this request's local variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from crypto.codes import (
    RECEIPT_CODE_LENGTH,
    group_code,
    keypad_digits,
    new_receipt_code,
    normalise_code,
)
from crypto.receipts import keypad_digest, receipt_digest, reply_keypair
from intake_web.state import state
from utvag.calendar.due import CallbackWindow
from utvag.calendar.hours import OfficeCalendar
from utvag.repo.contacts import SealedSubmission, insert_contact
from utvag.repo.outbox import ReadyJob
from utvag.repo.teams import PublicTeam
from utvag.sealed_fields import seal_fields
from utvag.store.models import CallFrom, ContactStatus


@dataclass(frozen=True)
class Receipt:
    contact_id: int
    due_at: datetime
    code: str
    # Written marked as sent: send them right after commit
    # (``dispatch.send_after_commit``); a due notice is left to the relay.
    to_send: list[ReadyJob]
    # The team's hours, to tell the person when we can realistically call
    # or read what they wrote.
    calendar: OfficeCalendar


def store_sealed_contact(
    session: Session,
    team: PublicTeam,
    receipt_key: bytes,
    *,
    fields: dict[str, str],
    kind: str,
    channel: str,
    wants_callback: bool,
    callback_window: CallbackWindow | None,
    callback_day: date | None = None,
    call_digest: str | None = None,
    status: ContactStatus = ContactStatus.RECEIVED,
    language: str | None = None,
    under_18: bool | None = None,
    call_from: CallFrom = CallFrom.NEUTRAL,
    waited: bool = False,
) -> Receipt:
    """Seal ``fields``, store the contact, and return its receipt code (shown
    once). The code is kept only as two HMACs: of the code, for the website,
    and of its keypad form, for the number that names nothing."""
    facts = state().team_facts.get(session, team)
    code = new_receipt_code()
    canonical = normalise_code(code, RECEIPT_CODE_LENGTH)
    if canonical is None:  # new_receipt_code always prints a valid code
        raise RuntimeError("receipt code generator produced an invalid code")
    _, reply_public_key = reply_keypair(canonical)
    stored = insert_contact(
        session,
        team.id,
        SealedSubmission(
            kind=kind,
            channel=channel,
            wants_callback=wants_callback,
            callback_window=callback_window,
            callback_day=callback_day,
            key_id=facts.key_id,
            sealed_content=seal_fields(facts.public_key, fields),
            receipt_digest=receipt_digest(receipt_key, canonical),
            reply_public_key=reply_public_key,
            call_digest=call_digest,
            status=status,
            language=language,
            under_18=under_18,
            call_from=call_from,
            keypad_digest=keypad_digest(receipt_key, keypad_digits(canonical)),
            waited=waited,
        ),
        calendar=facts.calendar,
        sent_by_caller=True,
    )
    return Receipt(
        contact_id=stored.id,
        due_at=stored.due_at,
        code=group_code(canonical),
        to_send=[job for job in stored.jobs if job.run_at is None],
        calendar=facts.calendar,
    )
