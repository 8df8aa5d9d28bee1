"""Wrapping a private key under a secret a person knows and a secret the console holds.

What is wrapped is a staff member's own private key (under their password),
the team's recovery key (under the recovery code) or an invitation's key
(under the one-time enrolment code). Envelope layout (version 2, written
since the console's wrapping secret came in)::

    b"UW" | 0x02 | opslimit (4 bytes, big endian) | memlimit (8 bytes, big endian)
          | salt (16 bytes) | SecretBox ciphertext (nonce 24 + MAC 16 + key 32)

    SecretBox key = BLAKE2b-256(Argon2id(secret, salt, cost), key=pepper)

The *pepper* is a server secret that lives only in the console's secrets
directory, never in the database nor in its backups: a stolen copy of the
database plus a guessed or stolen password opens nothing without it, and
guessing passwords offline needs it too. Version 1 (no pepper, the SecretBox
key is the Argon2id output itself) is still read, never written; the console
re-wraps a version-1 key at its owner's next successful use.

The cost and salt travel in the envelope so a key wrapped at one cost stays
readable after the production cost is raised. They are not authenticated
separately: changing either changes the derived key, so the SecretBox MAC fails.
"""

import hashlib

import nacl.pwhash.argon2id
import nacl.secret
import nacl.utils

from crypto.kdf import PRODUCTION_COST, KdfCost, derive_wrapping_key

_MAGIC = b"UW"
UNPEPPERED_VERSION = 1
PEPPERED_VERSION = 2
_PRIVATE_KEY_BYTES = 32
MIN_PEPPER_BYTES = 32
_PEPPER_PERSON = b"utvag-wrap-v2"


def peppered_key(argon2_key: bytes, pepper: bytes) -> bytes:
    """The SecretBox key of a version-2 envelope: the Argon2id output keyed by the pepper.

    A keyed BLAKE2b: without the pepper the Argon2id output (which a password
    guess yields) says nothing about the box key. Refuses a pepper shorter
    than 32 bytes, so an empty or truncated secrets file fails loudly instead
    of silently weakening every wrap.
    """
    if len(pepper) < MIN_PEPPER_BYTES:
        raise ValueError(f"the wrapping pepper must be at least {MIN_PEPPER_BYTES} bytes")
    return hashlib.blake2b(
        bytes(argon2_key), digest_size=32, key=bytes(pepper[:64]), person=_PEPPER_PERSON
    ).digest()


def wrapping_version(wrapped: bytes) -> int | None:
    """The envelope version of a wrapped key (1 or 2), or None if it is not one.

    Reads the header only; lets the console find keys still wrapped without
    the pepper, to re-wrap them, without unwrapping anything.
    """
    if len(wrapped) < len(_MAGIC) + 1 or bytes(wrapped[: len(_MAGIC)]) != _MAGIC:
        return None
    version = wrapped[len(_MAGIC)]
    return version if version in (UNPEPPERED_VERSION, PEPPERED_VERSION) else None


def wrap_private_key(
    private_key: bytes, secret: str, cost: KdfCost = PRODUCTION_COST, *, pepper: bytes
) -> bytes:
    """Encrypt a private key under ``secret`` and the console's ``pepper`` (version 2).

    This is the only form in which a member's own private key, the recovery
    key and an invitation's key are stored. A copy of the database is then
    useless without both a secret a person holds and the console's pepper.
    Recovery and enrolment codes should be passed in canonical form
    (``crypto.codes.normalise_code``) so the way a person types them later
    does not matter. A fresh random salt per wrap means two staff members
    with the same password still get unrelated wrapping keys.
    """
    if len(private_key) != _PRIVATE_KEY_BYTES:
        raise ValueError(f"private key must be {_PRIVATE_KEY_BYTES} bytes")
    if not secret:
        raise ValueError("the secret must not be empty")
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    box_key = peppered_key(derive_wrapping_key(secret, salt, cost), pepper)
    header = (
        _MAGIC
        + bytes([PEPPERED_VERSION])
        + cost.opslimit.to_bytes(4, "big")
        + cost.memlimit.to_bytes(8, "big")
        + salt
    )
    return header + bytes(nacl.secret.SecretBox(box_key).encrypt(bytes(private_key)))
