"""Opening what ``crypto.key_locks`` locked (console only).

Forbidden to the public app and the shared data layer (import-linter), like
every module that can bring a team private key back.
"""

import nacl.exceptions

from crypto.errors import DecryptionError, MalformedEnvelopeError
from crypto.key_locks import HEADER_BYTES, lock_box, locked_key_id


def unlock(lock_secret: bytes, locked: bytes) -> bytes:
    """The payload inside ``locked``, given the lock secret of the key it names.

    MalformedEnvelopeError if ``locked`` is not a locked value; DecryptionError
    if the lock secret is not that key's or the value was altered.
    """
    team_key_id = locked_key_id(locked)
    if team_key_id is None:
        raise MalformedEnvelopeError("not a locked value")
    try:
        return bytes(lock_box(lock_secret, team_key_id).decrypt(bytes(locked[HEADER_BYTES:])))
    except nacl.exceptions.CryptoError:
        raise DecryptionError("the lock secret does not open this value") from None
