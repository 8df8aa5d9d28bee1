"""Locking every stored copy of a team private key under that key's own lock secret.

A team private key is stored in several places: sealed to each member's
public key and to the recovery key (the grants), and inside a pending
invitation. Each copy is additionally locked under a random secret that
belongs to that one team key and lives only in the console's key store,
outside the database and its backups::

    b"UL" | 0x01 | team key id (8 raw bytes) | SecretBox ciphertext of the payload

    SecretBox key = BLAKE2b-256(team key id, key=lock secret)

Destroying the lock secret destroys every copy at once — in the live
database and in every older copy of it, since none of them holds the lock.
That is what lets a retired key be crypto-shredded even against a backup
made before the shredding.

The key id is in clear (it is public) so the console knows which lock to
use; it is also bound into the box key, so a header rewritten to name
another key fails authentication. This module only locks; opening is
``crypto.key_unlocking`` (console only, like every module that opens).
"""

import hashlib

import nacl.secret
import nacl.utils

MAGIC = b"UL"
VERSION = 1
KEY_ID_BYTES = 8
HEADER_BYTES = len(MAGIC) + 1 + KEY_ID_BYTES
LOCK_SECRET_BYTES = 32
_PERSON = b"utvag-key-lock"


def new_lock_secret() -> bytes:
    """A fresh random lock secret for one team key (32 bytes)."""
    return nacl.utils.random(LOCK_SECRET_BYTES)


def lock_box(lock_secret: bytes, team_key_id: str) -> nacl.secret.SecretBox:
    """The SecretBox for one team key's lock; ValueError for a malformed secret or id."""
    if len(lock_secret) != LOCK_SECRET_BYTES:
        raise ValueError(f"a lock secret must be {LOCK_SECRET_BYTES} bytes")
    raw_id = bytes.fromhex(team_key_id)
    if len(raw_id) != KEY_ID_BYTES:
        raise ValueError(f"a key id must be {KEY_ID_BYTES} bytes")
    box_key = hashlib.blake2b(raw_id, digest_size=32, key=bytes(lock_secret), person=_PERSON)
    return nacl.secret.SecretBox(box_key.digest())


def lock(lock_secret: bytes, team_key_id: str, payload: bytes) -> bytes:
    """``payload`` (a grant or a team private key) locked under the team key's lock secret."""
    box = lock_box(lock_secret, team_key_id)
    return MAGIC + bytes([VERSION]) + bytes.fromhex(team_key_id) + bytes(box.encrypt(payload))


def locked_key_id(value: bytes) -> str | None:
    """The team key id a locked value names, or None if ``value`` is not locked.

    Reads the header only: enough to find the right lock, or to find copies
    stored before locks existed (which still need locking).
    """
    if len(value) <= HEADER_BYTES or bytes(value[: len(MAGIC)]) != MAGIC:
        return None
    if value[len(MAGIC)] != VERSION:
        return None
    return bytes(value[len(MAGIC) + 1 : HEADER_BYTES]).hex()
