"""Unwrapping a team private key with a staff password or recovery code.

Also the staff password check: if unwrapping succeeds, the password was right.
Layout of the envelope: see ``crypto.wrapping``.
"""

import nacl.exceptions
import nacl.pwhash.argon2id
import nacl.secret

from crypto.errors import MalformedEnvelopeError, WrongSecretError
from crypto.kdf import KdfCost, derive_wrapping_key

_MAGIC = b"UW"
_VERSION = 1
_PRIVATE_KEY_BYTES = 32
_SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
_OPS_AT = 3
_MEM_AT = _OPS_AT + 4
_SALT_AT = _MEM_AT + 8
_BOX_AT = _SALT_AT + _SALT_BYTES
_ENVELOPE_BYTES = (
    _BOX_AT + nacl.secret.SecretBox.NONCE_SIZE + nacl.secret.SecretBox.MACBYTES + _PRIVATE_KEY_BYTES
)


def unwrap_private_key(wrapped: bytes, secret: str) -> bytes:
    """Recover a team private key from its wrapped form, given the right secret.

    Raises WrongSecretError for a wrong secret and for a tampered envelope alike,
    so the error tells an attacker nothing about which it was. Raises
    MalformedEnvelopeError for bytes that are not a wrapped key at all, including
    a cost outside the MIN..SENSITIVE range, so a crafted row cannot make a
    login allocate gigabytes before failing.
    """
    if len(wrapped) != _ENVELOPE_BYTES:
        raise MalformedEnvelopeError("wrapped key has the wrong length")
    if wrapped[: len(_MAGIC)] != _MAGIC:
        raise MalformedEnvelopeError("not a wrapped key")
    if wrapped[len(_MAGIC)] != _VERSION:
        raise MalformedEnvelopeError("unsupported wrapped key version")
    try:
        cost = KdfCost(
            opslimit=int.from_bytes(wrapped[_OPS_AT:_MEM_AT], "big"),
            memlimit=int.from_bytes(wrapped[_MEM_AT:_SALT_AT], "big"),
        )
    except ValueError:
        raise MalformedEnvelopeError("wrapped key names an unacceptable cost") from None
    if not secret:
        raise WrongSecretError("wrong secret or tampered wrapped key")
    box = nacl.secret.SecretBox(derive_wrapping_key(secret, bytes(wrapped[_SALT_AT:_BOX_AT]), cost))
    try:
        return bytes(box.decrypt(bytes(wrapped[_BOX_AT:])))
    except nacl.exceptions.CryptoError:
        raise WrongSecretError("wrong secret or tampered wrapped key") from None
