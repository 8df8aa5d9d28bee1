"""Sealing to a team's public key: the only encryption the public app performs.

Envelope layout (version 1)::

    b"US" | 0x01 | key id (8 raw bytes) | SealedBox ciphertext (48 + n bytes)

The key id is not secret (it is a hash of the public key); it tells the team
which of its private keys opens the envelope, which is what makes key rotation
possible. This module must never import the opening, unwrapping, kdf or
wrapping modules: the public app imports it.
"""

import nacl.public

from crypto.errors import MalformedEnvelopeError
from crypto.keys import key_id

_MAGIC = b"US"
_VERSION = 1
_KEY_ID_BYTES = 8
_HEADER_BYTES = len(_MAGIC) + 1 + _KEY_ID_BYTES
# A SealedBox adds a 32-byte ephemeral public key and a 16-byte MAC.
_SEALED_BOX_OVERHEAD = 48


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` so that only the holder of the matching private key can read it.

    Anonymous (SealedBox): the sender keeps no key and cannot decrypt what it
    sealed, so a compromised public app cannot read earlier submissions. The
    envelope is prefixed with a version byte and the key id so the format and
    the team key can both change later without breaking stored data.
    """
    header = _MAGIC + bytes([_VERSION]) + bytes.fromhex(key_id(public_key))
    box = nacl.public.SealedBox(nacl.public.PublicKey(bytes(public_key)))
    return header + box.encrypt(bytes(plaintext))


def envelope_key_id(envelope: bytes) -> str:
    """Return the hex id of the key an envelope was sealed to.

    Lets callers find (or fetch and unwrap) the right team key before opening,
    and lets them notice envelopes sealed to a retired key.
    """
    if len(envelope) < _HEADER_BYTES + _SEALED_BOX_OVERHEAD:
        raise MalformedEnvelopeError("sealed envelope is too short")
    if envelope[: len(_MAGIC)] != _MAGIC:
        raise MalformedEnvelopeError("not a sealed envelope")
    if envelope[len(_MAGIC)] != _VERSION:
        raise MalformedEnvelopeError("unsupported sealed envelope version")
    return bytes(envelope[len(_MAGIC) + 1 : _HEADER_BYTES]).hex()
