"""Sealing to a team's public key: the only encryption the public app performs.

Envelope layout (version 2, written since padding came in)::

    b"US" | 0x02 | key id (8 raw bytes) | SealedBox ciphertext of padded plaintext

    padded plaintext = length (4 bytes) | plaintext | zeros, to a fixed bucket
    (see crypto.padding), so the envelope's length hides the plaintext's.

Version 1 (no padding) is still read, never written: envelopes sealed before
padding stay readable until they are re-sealed.

The key id is not secret (it is a hash of the public key); it tells the team
which of its private keys opens the envelope, which is what makes key rotation
possible. This module must never import the opening, unwrapping, kdf or
wrapping modules: the public app imports it.
"""

from dataclasses import dataclass

import nacl.public

from crypto.errors import DecryptionError, MalformedEnvelopeError
from crypto.keys import key_id
from crypto.padding import pad, unpad

_MAGIC = b"US"
UNPADDED_VERSION = 1
PADDED_VERSION = 2
_VERSIONS = (UNPADDED_VERSION, PADDED_VERSION)
_KEY_ID_BYTES = 8
HEADER_BYTES = len(_MAGIC) + 1 + _KEY_ID_BYTES
# A SealedBox adds a 32-byte ephemeral public key and a 16-byte MAC.
SEALED_BOX_OVERHEAD = 48


@dataclass(frozen=True)
class Envelope:
    """A sealed envelope taken apart (nothing opened)."""

    version: int
    key_id: str
    ciphertext: bytes

    def plaintext_from(self, box_output: bytes) -> bytes:
        """What was sealed, given what the SealedBox gave back."""
        if self.version == UNPADDED_VERSION:
            return box_output
        try:
            return unpad(box_output)
        except ValueError:
            raise DecryptionError("sealed envelope holds malformed padding") from None


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` so that only the holder of the matching private key can read it.

    Anonymous (SealedBox): the sender keeps no key and cannot decrypt what it
    sealed, so a compromised public app cannot read earlier submissions. The
    plaintext is padded to a fixed bucket first. The envelope is prefixed with
    a version byte and the key id so the format and the team key can both
    change later without breaking stored data.
    """
    header = _MAGIC + bytes([PADDED_VERSION]) + bytes.fromhex(key_id(public_key))
    box = nacl.public.SealedBox(nacl.public.PublicKey(bytes(public_key)))
    return header + box.encrypt(pad(bytes(plaintext)))


def read_envelope(envelope: bytes) -> Envelope:
    """Take an envelope apart; MalformedEnvelopeError if it is not one."""
    if len(envelope) < HEADER_BYTES + SEALED_BOX_OVERHEAD:
        raise MalformedEnvelopeError("sealed envelope is too short")
    if envelope[: len(_MAGIC)] != _MAGIC:
        raise MalformedEnvelopeError("not a sealed envelope")
    version = envelope[len(_MAGIC)]
    if version not in _VERSIONS:
        raise MalformedEnvelopeError("unsupported sealed envelope version")
    return Envelope(
        version=version,
        key_id=bytes(envelope[len(_MAGIC) + 1 : HEADER_BYTES]).hex(),
        ciphertext=bytes(envelope[HEADER_BYTES:]),
    )


def envelope_key_id(envelope: bytes) -> str:
    """Return the hex id of the key an envelope was sealed to.

    Lets callers find (or fetch and unwrap) the right team key before opening,
    and lets them notice envelopes sealed to a retired key.
    """
    return read_envelope(envelope).key_id
