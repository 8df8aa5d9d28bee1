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


# Four passes (libsodium's highest accepted) over 128 MiB: about a quarter of
# a second on a 2-core server (0.25 s measured on the build machine, against
# 0.11 s for three passes over 64 MiB; `make bench` checks that a staff
# unlock stays between 0.2 and 1 s). Staff log in a few times a day, so a
# login may spend that; an attacker with a copy of the database pays it for
# every password guessed. 128 MiB is far above OWASP's minimum of 19 MiB for
# Argon2id, while a small server still handles several logins at once.
# Envelopes carry their cost, so keys wrapped at an earlier cost still open.
PRODUCTION_COST = KdfCost(
    opslimit=nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE,
    memlimit=128 * 1024 * 1024,
)

# The cheapest cost libsodium allows. Only test fixtures pass it in; no
# production code path chooses it, and envelopes carry their cost, so keys
# wrapped in tests are never mistaken for production-strength ones.
TEST_COST = KdfCost(
    opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
    memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN,
)
