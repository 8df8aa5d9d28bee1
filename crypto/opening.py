"""Opening sealed envelopes with a team's private keys (staff side only)."""

import hmac
from collections.abc import Mapping

import nacl.exceptions
import nacl.public

from crypto.errors import DecryptionError, UnknownKeyError
from crypto.keys import key_id, public_key_of
from crypto.sealing import read_envelope


def open_sealed(private_keys: Mapping[str, bytes], envelope: bytes) -> bytes:
    """Decrypt an envelope made by ``crypto.sealing.seal``.

    ``private_keys`` maps key id to private key, so a team that has rotated its
    key can pass every key it still holds and old envelopes stay readable; a key
    removed from the mapping makes its envelopes unreadable (UnknownKeyError).
    The chosen key's own id is checked against the header, so a key registered
    under the wrong id, or a header rewritten to name another key, fails with
    DecryptionError rather than being trusted.
    """
    parts = read_envelope(envelope)
    wanted_id = parts.key_id
    private_key = private_keys.get(wanted_id)
    if private_key is None:
        raise UnknownKeyError(f"no private key with id {wanted_id}")
    if not hmac.compare_digest(key_id(public_key_of(private_key)), wanted_id):
        raise DecryptionError("the private key does not match the envelope's key id")
    box = nacl.public.SealedBox(nacl.public.PrivateKey(bytes(private_key)))
    try:
        opened = box.decrypt(parts.ciphertext)
    except nacl.exceptions.CryptoError:
        raise DecryptionError("sealed envelope failed authentication") from None
    return parts.plaintext_from(opened)
