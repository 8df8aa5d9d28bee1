"""A proof of work the page's own script solves, so a person gets past a
flood that fills their network's shared limit (everyone arriving through Tor
shares one).

The server issues a challenge with every form page::

    v1.<issued, unix seconds>.<bits>.<random nonce>.<HMAC of the rest>

and the page's script (``static/pow.js``) looks for a ``solution`` such that
SHA-256(``challenge`` + ":" + ``solution``) starts with ``bits`` zero bits.
The server checks the HMAC (it issued the challenge), the age, the work, and
spends it in the submission's transaction (it is accepted once). Checking
costs one HMAC and one hash; solving costs about 2**bits hashes, which rise
while a flood is on (``difficulty``). A missing, forged, stale, reused or
unsolved proof is simply no proof: the submission falls back to the
per-network limit, never an error.

Nothing in a challenge names the person; the spent table keeps a hash of it
until it could no longer be accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from utvag.repo import proofs, throttle

VERSION = "v1"
BASE_BITS = 16
MAX_EXTRA_BITS = 5
# Submissions an hour, site-wide, above which each doubling adds one bit.
FLOOD_LEVEL = 300
# As long as a form's CSRF token lives: a person may take their time.
VALID_FOR = timedelta(hours=4)
CLOCK_SKEW = timedelta(minutes=1)
MAX_SOLUTION_LENGTH = 20
# How long one process reuses a difficulty it worked out.
DIFFICULTY_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class Proof:
    """A checked proof, ready to be spent."""

    digest: str
    expires_at: datetime


def issue(key: bytes, bits: int, now: datetime) -> str:
    body = f"{VERSION}.{int(now.timestamp())}.{bits}.{secrets.token_urlsafe(12)}"
    return f"{body}.{_mac(key, body)}"


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def check(key: bytes, challenge: str, solution: str, now: datetime) -> Proof | None:
    """The proof if ``solution`` solves a challenge this server issued, in time."""
    if not challenge or not solution or len(challenge) > 200:
        return None
    # isdigit() alone takes Arabic-Indic digits too, and compare_digest
    # raises on anything but ASCII: both would have been a 500.
    if not (challenge.isascii() and solution.isascii()):
        return None
    if len(solution) > MAX_SOLUTION_LENGTH or not solution.isdigit():
        return None
    body, _, mac = challenge.rpartition(".")
    if not hmac.compare_digest(_mac(key, body).encode(), mac.encode()):
        return None
    version, issued_text, bits_text, _nonce = (body.split(".", 3) + ["", "", "", ""])[:4]
    if version != VERSION or not issued_text.isdigit() or not bits_text.isdigit():
        return None
    issued = datetime.fromtimestamp(int(issued_text), UTC)
    if issued > now + CLOCK_SKEW or now - issued > VALID_FOR:
        return None
    bits = int(bits_text)
    if bits < BASE_BITS:
        return None
    work = hashlib.sha256(f"{challenge}:{solution}".encode()).digest()
    if leading_zero_bits(work) < bits:
        return None
    return Proof(
        digest=hashlib.sha256(challenge.encode()).hexdigest(), expires_at=issued + VALID_FOR
    )


def bits_for_load(submissions_per_hour: int) -> int:
    """16 bits normally; one more for each doubling of the hour's submissions
    above the flood level, up to 21 (seconds, even in a phone's browser)."""
    if submissions_per_hour < FLOOD_LEVEL:
        return BASE_BITS
    extra = 1 + int(math.log2(submissions_per_hour / FLOOD_LEVEL))
    return BASE_BITS + min(extra, MAX_EXTRA_BITS)


class Difficulty:
    """The current difficulty, worked out at most every 30 seconds per process."""

    def __init__(self) -> None:
        self._bits = BASE_BITS
        self._until = 0.0

    def current(self, session: Session, now: datetime) -> int:
        if time.monotonic() < self._until:
            return self._bits
        load = throttle.submissions_this_hour(session, now) + proofs.spent_still_valid(
            session, now
        ) // max(1, int(VALID_FOR / timedelta(hours=1)))
        self._bits = bits_for_load(load)
        self._until = time.monotonic() + DIFFICULTY_CACHE_SECONDS
        return self._bits
