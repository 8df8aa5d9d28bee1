"""Who gets in, and how a submission is stored: one transaction, one Redis
round trip.

Every public form carries a proof-of-work challenge (``proof_fields``). A
submission with a solved, unspent proof goes straight into the queue. One
without (JavaScript off, or a robot) counts against its network's hourly
limit; over the limit it is still kept, sealed like any other, in the
*unverified* list staff look through in bulk, up to a cap per team, so a
person whose network a flood has filled is not turned away. Only past the
cap is a submission refused, with a message in the person's language.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from flask import request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake_web import proof_of_work
from intake_web.sealing import Receipt, store_sealed_contact
from intake_web.state import state
from intake_web.teams import PublicTeam, public_team
from utvag import throttle
from utvag.db import transaction, utcnow
from utvag.dispatch import send_after_commit
from utvag.due import CallbackWindow
from utvag.models import CallFrom, Contact, ContactStatus
from utvag.repo import proofs
from utvag.throttle import Purpose
from web_common.throttle import client_bucket

# How many unverified submissions a team keeps waiting before refusing more.
UNVERIFIED_CAP = 5000
# The form fields the ``proof_of_work`` macro (templates/_macros.html) writes.
CHALLENGE_FIELD = "pow_challenge"
SOLUTION_FIELD = "pow_solution"


@dataclass(frozen=True)
class Challenge:
    text: str
    bits: int


def new_challenge() -> Challenge:
    """A fresh challenge for a form page (the ``proof_of_work`` macro puts it
    in hidden fields; the page's script fills in the solution)."""
    app_state = state()
    now = utcnow()
    with app_state.session_factory() as session:
        bits = app_state.difficulty.current(session, now)
    return Challenge(proof_of_work.issue(app_state.secrets.proof_key, bits, now), bits)


def presented_proof(now: datetime) -> proof_of_work.Proof | None:
    """The request's proof, checked (not yet spent); None if there is none
    worth anything, whatever the reason."""
    return proof_of_work.check(
        state().secrets.proof_key,
        request.form.get(CHALLENGE_FIELD, ""),
        request.form.get(SOLUTION_FIELD, ""),
        now,
    )


def spend_presented_proof(session: Session, now: datetime) -> bool:
    """True if the request carries a good proof, now spent in ``session``."""
    proof = presented_proof(now)
    return proof is not None and proofs.spend(session, proof.digest, proof.expires_at)


class Outcome(enum.Enum):
    QUEUED = "queued"
    UNVERIFIED = "unverified"
    REFUSED = "refused"
    NOT_READY = "not_ready"


@dataclass(frozen=True)
class Submission:
    outcome: Outcome
    receipt: Receipt | None = None
    # The team's time zone, to tell the person when we expect to call.
    timezone: str | None = None


def submit(
    fields: dict[str, str],
    *,
    kind: str,
    channel: str,
    wants_callback: bool,
    callback_window: CallbackWindow | None,
    callback_day: date | None = None,
    language: str | None = None,
    under_18: bool | None = None,
    call_from: CallFrom = CallFrom.NEUTRAL,
) -> Submission:
    """Admit, seal and store a submission in one transaction, then send its
    job in one pipeline."""
    app_state = state()
    now = utcnow()
    with transaction(app_state.session_factory) as session:
        team = public_team(session)
        if team is None:
            return Submission(Outcome.NOT_READY)
        outcome = _admit(session, team, now)
        if outcome is Outcome.REFUSED:
            return Submission(outcome)
        receipt = store_sealed_contact(
            session,
            team,
            app_state.secrets.receipt_key,
            fields=fields,
            kind=kind,
            channel=channel,
            wants_callback=wants_callback,
            callback_window=callback_window,
            callback_day=callback_day,
            language=language,
            under_18=under_18,
            call_from=call_from,
            status=ContactStatus.UNVERIFIED
            if outcome is Outcome.UNVERIFIED
            else ContactStatus.RECEIVED,
        )
    send_after_commit(app_state.session_factory, app_state.redis, receipt.to_send)
    return Submission(outcome, receipt, team.timezone)


def _admit(session: Session, team: PublicTeam, now: datetime) -> Outcome:
    if spend_presented_proof(session, now):
        return Outcome.QUEUED
    if not throttle.count_and_check(session, Purpose.SUBMISSION, client_bucket(), now):
        return Outcome.QUEUED
    if _unverified_waiting(session, team.id) >= UNVERIFIED_CAP:
        return Outcome.REFUSED
    return Outcome.UNVERIFIED


def _unverified_waiting(session: Session, team_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Contact)
            .where(Contact.team_id == team_id, Contact.status == ContactStatus.UNVERIFIED.value)
        )
        or 0
    )
