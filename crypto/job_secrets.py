"""Twilio's ids for a call or a recording, locked while a job carries them.

A hotline job has to tell the worker which call or recording to delete at
Twilio. The id itself is a handle on the caller's number there (until the
job has run), so it is never written to the outbox in clear. Both processes
that handle it, the public app that receives the webhook and the worker that
calls Twilio's API, already hold the Twilio auth token; the lock key is
derived from it, so no new secret has to be shared between them. Once the
job is done the worker blanks its arguments.

``job_digest`` gives a stable name for the same id (e.g. to store a
recording once), again without revealing it.
"""

import base64
import hashlib

import nacl.exceptions
import nacl.secret
import nacl.utils

from crypto.errors import DecryptionError

_LOCK_PERSON = b"utvag-job-lock"
_DIGEST_PERSON = b"utvag-job-name"
_MIN_SECRET_BYTES = 16


def _derived(secret: str, person: bytes) -> bytes:
    raw = secret.encode()
    if len(raw) < _MIN_SECRET_BYTES:
        raise ValueError(f"job secret must be at least {_MIN_SECRET_BYTES} bytes")
    return hashlib.blake2b(raw, digest_size=32, person=person).digest()


def lock_job_value(secret: str, value: str) -> str:
    """``value`` encrypted and authenticated under a key derived from
    ``secret``, as URL-safe base64 text (what the outbox's JSON holds)."""
    box = nacl.secret.SecretBox(_derived(secret, _LOCK_PERSON))
    return base64.urlsafe_b64encode(box.encrypt(value.encode())).decode()


def unlock_job_value(secret: str, locked: str) -> str:
    """What ``lock_job_value`` locked; DecryptionError if the text was not
    locked under this secret (a changed auth token) or was altered."""
    box = nacl.secret.SecretBox(_derived(secret, _LOCK_PERSON))
    try:
        return box.decrypt(base64.urlsafe_b64decode(locked.encode())).decode()
    except (ValueError, nacl.exceptions.CryptoError):
        raise DecryptionError("locked job value does not open under this secret") from None


def job_digest(secret: str, value: str) -> str:
    """A keyed digest of ``value``: the same id always gives the same text,
    and the text gives the id away to nobody without ``secret``."""
    key = _derived(secret, _DIGEST_PERSON)
    return hashlib.blake2b(value.encode(), digest_size=32, key=key).hexdigest()
