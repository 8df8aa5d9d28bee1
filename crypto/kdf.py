"""Argon2id key derivation from a staff password or a recovery code."""

import unicodedata

import nacl.pwhash.argon2id

from crypto.kdf_cost import PRODUCTION_COST, TEST_COST, KdfCost

__all__ = ["PRODUCTION_COST", "TEST_COST", "KdfCost", "derive_wrapping_key"]

_KEY_BYTES = 32


def derive_wrapping_key(secret: str, salt: bytes, cost: KdfCost) -> bytes:
    """Derive a 32-byte SecretBox key from a password or recovery code.

    Argon2id is memory-hard, so someone with a copy of the database must spend
    real memory and time per guess. The secret is NFC-normalised first so that
    "å" typed as one code point or as "a" plus a combining ring gives the same
    key on every keyboard and operating system.
    """
    if not secret:
        raise ValueError("the secret must not be empty")
    if len(salt) != nacl.pwhash.argon2id.SALTBYTES:
        raise ValueError(f"salt must be {nacl.pwhash.argon2id.SALTBYTES} bytes")
    password = unicodedata.normalize("NFC", secret).encode("utf-8")
    return nacl.pwhash.argon2id.kdf(
        _KEY_BYTES, password, bytes(salt), opslimit=cost.opslimit, memlimit=cost.memlimit
    )
