"""Wrapping a team private key under a staff password or recovery code.

Envelope layout (version 1)::

    b"UW" | 0x01 | opslimit (4 bytes, big endian) | memlimit (8 bytes, big endian)
          | salt (16 bytes) | SecretBox ciphertext (nonce 24 + MAC 16 + key 32)

The cost and salt travel in the envelope so a key wrapped at one cost stays
readable after the production cost is raised. They are not authenticated
separately: changing either changes the derived key, so the SecretBox MAC fails.
"""

import nacl.pwhash.argon2id
import nacl.secret
import nacl.utils

from crypto.kdf import PRODUCTION_COST, KdfCost, derive_wrapping_key

_MAGIC = b"UW"
_VERSION = 1
_PRIVATE_KEY_BYTES = 32


def wrap_private_key(private_key: bytes, secret: str, cost: KdfCost = PRODUCTION_COST) -> bytes:
    """Encrypt a team private key under a key derived from ``secret``.

    This is the only form in which a team private key is stored: once per staff
    member (under their password) and under recovery codes. A copy of the
    database is then useless without a secret. Recovery codes should be passed
    in canonical form (``crypto.codes.normalise_code``) so the way a person
    types them later does not matter. A fresh random salt per wrap means two
    staff members with the same password still get unrelated wrapping keys.
    """
    if len(private_key) != _PRIVATE_KEY_BYTES:
        raise ValueError(f"private key must be {_PRIVATE_KEY_BYTES} bytes")
    if not secret:
        raise ValueError("the secret must not be empty")
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    box = nacl.secret.SecretBox(derive_wrapping_key(secret, salt, cost))
    header = (
        _MAGIC
        + bytes([_VERSION])
        + cost.opslimit.to_bytes(4, "big")
        + cost.memlimit.to_bytes(8, "big")
        + salt
    )
    return header + bytes(box.encrypt(bytes(private_key)))
