"""Unwrapping a private key with a secret a person knows and the console's pepper.

Also the staff password check: if unwrapping succeeds, the password was right.
Layout of the envelope: see ``crypto.wrapping``. Version 1 envelopes (made
before the pepper) still open, without it; ``crypto.wrapping.wrapping_version``
tells the caller to re-wrap them.
"""

import nacl.exceptions
import nacl.pwhash.argon2id
import nacl.secret

from crypto.errors import MalformedEnvelopeError, WrongSecretError
from crypto.kdf import KdfCost, derive_wrapping_key
from crypto.wrapping import PEPPERED_VERSION, peppered_key, wrapping_version

_PRIVATE_KEY_BYTES = 32
_SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
_OPS_AT = 3
_MEM_AT = _OPS_AT + 4
_SALT_AT = _MEM_AT + 8
_BOX_AT = _SALT_AT + _SALT_BYTES
_ENVELOPE_BYTES = (
    _BOX_AT + nacl.secret.SecretBox.NONCE_SIZE + nacl.secret.SecretBox.MACBYTES + _PRIVATE_KEY_BYTES
)


def unwrap_private_key(wrapped: bytes, secret: str, *, pepper: bytes) -> bytes:
    """Recover a private key from its wrapped form, given the right secret and pepper.

    Raises WrongSecretError for a wrong secret, a wrong pepper and a tampered
    envelope alike, so the error tells an attacker nothing about which it
    was. Raises MalformedEnvelopeError for bytes that are not a wrapped key at
    all, including a cost outside the MIN..SENSITIVE range, so a crafted row
    cannot make a login allocate gigabytes before failing. The pepper is
    checked (and must be well formed) even for a version-1 envelope, which
    does not use it: a console without its pepper fails the same way for
    every member.
    """
    if len(wrapped) != _ENVELOPE_BYTES:
        raise MalformedEnvelopeError("wrapped key has the wrong length")
    version = wrapping_version(wrapped)
    if version is None:
        raise MalformedEnvelopeError("not a wrapped key, or an unsupported version")
    try:
        cost = KdfCost(
            opslimit=int.from_bytes(wrapped[_OPS_AT:_MEM_AT], "big"),
            memlimit=int.from_bytes(wrapped[_MEM_AT:_SALT_AT], "big"),
        )
    except ValueError:
        raise MalformedEnvelopeError("wrapped key names an unacceptable cost") from None
    if not secret:
        raise WrongSecretError("wrong secret or tampered wrapped key")
    box_key = derive_wrapping_key(secret, bytes(wrapped[_SALT_AT:_BOX_AT]), cost)
    peppered = peppered_key(box_key, pepper)
    if version == PEPPERED_VERSION:
        box_key = peppered
    try:
        return bytes(nacl.secret.SecretBox(box_key).decrypt(bytes(wrapped[_BOX_AT:])))
    except nacl.exceptions.CryptoError:
        raise WrongSecretError("wrong secret or tampered wrapped key") from None
