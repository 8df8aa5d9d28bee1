"""Argon2id work factors, apart from the derivation itself.

Configuration needs to name a cost without importing the code that turns a
password into a key; the public app may read configuration but is forbidden
that code (import-linter).
"""

from dataclasses import dataclass

import nacl.pwhash.argon2id


@dataclass(frozen=True)
class KdfCost:
    """Argon2id work factors: passes over memory (``opslimit``) and bytes of memory.

    Construction refuses anything outside libsodium's MIN..SENSITIVE presets, so a
    cost read from a crafted envelope cannot make a login burn gigabytes or
    minutes, and a mistyped cost cannot silently weaken a wrapped key.
    """

    opslimit: int
    memlimit: int

    def __post_init__(self) -> None:
        """Reject costs outside the sane range (see the class docstring for why)."""
        argon2id = nacl.pwhash.argon2id
        if not argon2id.OPSLIMIT_MIN <= self.opslimit <= argon2id.OPSLIMIT_SENSITIVE:
            raise ValueError("Argon2id opslimit is outside the accepted range")
        if not argon2id.MEMLIMIT_MIN <= self.memlimit <= argon2id.MEMLIMIT_SENSITIVE:
            raise ValueError("Argon2id memlimit is outside the accepted range")


# Three passes over 64 MiB. Staff log in a few times a day, so a login may
# spend a noticeable fraction of a second on this: about 0.1-0.5 s on a
# 2-core server (0.13 s measured on the development box). 64 MiB is well above
# OWASP's minimum of 19 MiB for Argon2id, while still letting a small server
# handle several logins at once without running out of memory.
PRODUCTION_COST = KdfCost(
    opslimit=nacl.pwhash.argon2id.OPSLIMIT_MODERATE,
    memlimit=nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE,
)

# The cheapest cost libsodium allows. Only test fixtures pass it in; no
# production code path chooses it, and envelopes carry their cost, so keys
# wrapped in tests are never mistaken for production-strength ones.
TEST_COST = KdfCost(
    opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
    memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN,
)
