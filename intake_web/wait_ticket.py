"""A short wait in place of a proof of work, for a browser without JavaScript.

Every public form carries, beside the proof-of-work challenge, a ticket::

    w1.<issued, unix seconds>.<ready, unix seconds>.<random nonce>.<HMAC>

The HMAC (under the intake's proof key, with its own label) covers the rest
*and* the form's CSRF session (the secret Flask-WTF keeps in the form's
cookie), so a ticket works only with the session it was issued to. It is
ready ``WAIT`` after it was issued and good as long as the form's CSRF token
(4 hours), and it is spent once, in the submission's transaction, like a
proof of work (its hash in ``spent_proofs`` until it could no longer be
accepted).

A person who types for longer than the wait never sees it. One who presses
Send sooner gets the form back, with what they wrote still in it, nothing
stored, and a line saying how many seconds are left; then they press Send
again (a plain button: no script, no meta refresh).

What it buys is bounded by the per-circuit and per-network allowance of
waited submissions (``utvag.repo.throttle.Purpose.WAITED_SUBMISSION``), not by the
wait: waits run in parallel, so a longer one would cost a person more and a
flooder nothing. The wait makes each waited entry need a form fetched on its
own session twenty seconds earlier, so no burst of them is instant. Not bound
to the circuit or network: Tor may change a person's circuit while they type.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

VERSION = "w1"
WAIT = timedelta(seconds=20)
# As long as a form's CSRF token lives.
VALID_FOR = timedelta(hours=4)
CLOCK_SKEW = timedelta(minutes=1)
MAX_LENGTH = 120


class TicketState(enum.Enum):
    READY = "ready"
    EARLY = "early"
    # Forged, for another session, too old, or not a ticket at all.
    UNUSABLE = "unusable"


@dataclass(frozen=True)
class TicketCheck:
    state: TicketState
    # For a ready ticket: what to spend, and until when it could be presented.
    digest: str = ""
    expires_at: datetime | None = None
    # For an early one: how long the person still has to wait.
    seconds_left: int = 0


def issue(key: bytes, session_secret: str, now: datetime, wait: timedelta = WAIT) -> str:
    issued = int(now.timestamp())
    body = f"{VERSION}.{issued}.{issued + int(wait.total_seconds())}.{secrets.token_urlsafe(12)}"
    return f"{body}.{_mac(key, body, session_secret)}"


def _mac(key: bytes, body: str, session_secret: str) -> str:
    signed = f"wait-ticket|{body}|{session_secret}".encode()
    return hmac.new(key, signed, hashlib.sha256).hexdigest()[:32]


def check(key: bytes, ticket: str, session_secret: str, now: datetime) -> TicketCheck:
    """Whether ``ticket`` is one this server issued to this session, and ready."""
    unusable = TicketCheck(TicketState.UNUSABLE)
    if not ticket or len(ticket) > MAX_LENGTH or not ticket.isascii() or not session_secret:
        return unusable
    body, _, mac = ticket.rpartition(".")
    if not hmac.compare_digest(_mac(key, body, session_secret).encode(), mac.encode()):
        return unusable
    version, issued_text, ready_text, _nonce = (body.split(".", 3) + ["", "", "", ""])[:4]
    if version != VERSION or not issued_text.isdigit() or not ready_text.isdigit():
        return unusable
    issued = datetime.fromtimestamp(int(issued_text), UTC)
    ready = datetime.fromtimestamp(int(ready_text), UTC)
    if issued > now + CLOCK_SKEW or now - issued > VALID_FOR or ready < issued:
        return unusable
    if now < ready:
        seconds_left = max(1, math.ceil((ready - now).total_seconds()))
        return TicketCheck(TicketState.EARLY, seconds_left=seconds_left)
    return TicketCheck(
        TicketState.READY,
        digest=hashlib.sha256(f"wait:{ticket}".encode()).hexdigest(),
        expires_at=issued + VALID_FOR,
    )
