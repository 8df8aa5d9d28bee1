"""What effort a submission shows: a proof of work, a wait, or none.

Both travel in hidden fields of every public form (the ``proof_of_work``
macro in templates/_macros.html): the challenge, which the page's script
solves when JavaScript runs, and a wait ticket (``wait_ticket``), which needs
no script. A field the browser left empty shows no effort; a field filled
with something that cannot be used (forged, too old, unsolved, garbage, for
another session) or that was used before gets a clear answer and nothing is
stored, because a person whose page did the work must not be left silently
in the list a flood may evict.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, request, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session

from intake_web import proof_of_work, wait_ticket
from intake_web.state import state
from utvag.repo import proofs

# The form fields the ``proof_of_work`` macro (templates/_macros.html) writes.
CHALLENGE_FIELD = "pow_challenge"
SOLUTION_FIELD = "pow_solution"
TICKET_FIELD = "wait_ticket"


class Effort(enum.Enum):
    # A proof of work, checked and now spent.
    WORK = "work"
    # A ready wait ticket, checked and now spent.
    WAITED = "waited"
    NONE = "none"
    # A wait ticket that is not ready yet (nothing spent).
    EARLY = "early"
    UNUSABLE = "unusable"
    SPENT_BEFORE = "spent_before"


@dataclass(frozen=True)
class Shown:
    effort: Effort
    seconds_left: int = 0


def session_secret() -> str:
    """The form session's CSRF secret, made if the session has none yet."""
    generate_csrf()
    secret: str = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "")
    return secret


def shown_effort(db: Session, now: datetime) -> Shown:
    """Check, and spend in ``db``, the effort the request's form shows."""
    if request.form.get(SOLUTION_FIELD, ""):
        return _spent(db, _checked_proof(now))
    ticket = request.form.get(TICKET_FIELD, "")
    if not ticket:
        return Shown(Effort.NONE)
    checked = wait_ticket.check(state().secrets.proof_key, ticket, session_secret(), now)
    if checked.state is wait_ticket.TicketState.EARLY:
        return Shown(Effort.EARLY, checked.seconds_left)
    if checked.state is wait_ticket.TicketState.UNUSABLE or checked.expires_at is None:
        return Shown(Effort.UNUSABLE)
    if not proofs.spend(db, checked.digest, checked.expires_at):
        return Shown(Effort.SPENT_BEFORE)
    return Shown(Effort.WAITED)


def _checked_proof(now: datetime) -> proof_of_work.Proof | None:
    return proof_of_work.check(
        state().secrets.proof_key,
        request.form.get(CHALLENGE_FIELD, ""),
        request.form.get(SOLUTION_FIELD, ""),
        now,
    )


def _spent(db: Session, proof: proof_of_work.Proof | None) -> Shown:
    if proof is None:
        return Shown(Effort.UNUSABLE)
    if not proofs.spend(db, proof.digest, proof.expires_at):
        return Shown(Effort.SPENT_BEFORE)
    return Shown(Effort.WORK)


def spend_presented_proof(db: Session, now: datetime) -> bool:
    """True if the request carries a good proof of work, now spent in ``db``
    (a receipt look-up: a proven miss is not counted)."""
    proof = _checked_proof(now)
    return proof is not None and proofs.spend(db, proof.digest, proof.expires_at)


def ticket_for_form(now: datetime) -> str:
    """The ticket a form page carries: the one the person posted, if it is
    still good and unspent (their wait goes on where it was), else a new one."""
    key = state().secrets.proof_key
    secret = session_secret()
    posted = request.form.get(TICKET_FIELD, "") if request.method == "POST" else ""
    if posted:
        checked = wait_ticket.check(key, posted, secret, now)
        if checked.state is wait_ticket.TicketState.EARLY:
            return posted
        if checked.state is wait_ticket.TicketState.READY and not _spent_before(checked.digest):
            return posted
    return wait_ticket.issue(key, secret, now)


def _spent_before(digest: str) -> bool:
    with state().session_factory() as db:
        return proofs.is_spent(db, digest)
