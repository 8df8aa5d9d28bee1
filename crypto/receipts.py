"""What the server keeps about a receipt code, and the reply key it unlocks."""

import hashlib
import hmac

import nacl.exceptions
import nacl.public

from crypto.codes import ALPHABET, RECEIPT_CODE_LENGTH
from crypto.errors import DecryptionError, UnknownKeyError
from crypto.keys import key_id
from crypto.sealing import read_envelope

_MIN_SERVER_SECRET_BYTES = 32
_REPLY_KEY_PERSON = b"utvag-reply-key"
# Domain separation: the keypad form of one code must never equal the
# receipt digest of another code that happens to be all digits.
_KEYPAD_DOMAIN = b"utvag-keypad-code:"


def receipt_digest(server_secret: bytes, canonical_code: str) -> str:
    """Return the HMAC-SHA256 (hex) under which a receipt code is looked up.

    The server stores only this digest, so a copy of the database does not
    reveal receipt codes. It does not stop a copy from testing guesses,
    though: the contact's reply public key is derived from the code alone
    (``reply_keypair``), so whoever holds a copy can derive it from a guessed
    code and compare. That is harmless because of the code's 80 bits of
    entropy: at a billion guesses a second, finding one given code takes
    tens of millions of years. For the same reason a slow password hash is
    not needed; it would add tens of milliseconds to every submission and
    lookup for no gain.
    """
    if len(server_secret) < _MIN_SERVER_SECRET_BYTES:
        raise ValueError(f"server secret must be at least {_MIN_SERVER_SECRET_BYTES} bytes")
    message = _canonical_bytes(canonical_code)
    return hmac.new(bytes(server_secret), message, hashlib.sha256).hexdigest()


def keypad_digest(server_secret: bytes, keypad_digits: str) -> str:
    """Return the HMAC-SHA256 (hex) under which a code's keypad form is looked up.

    A person rings the number that names nothing and types their receipt code
    on the keypad (``crypto.codes.keypad_digits``); this digest, stored when
    the code was made, finds their contact without a scan. The keypad form
    keeps fewer bits than the code (about 51), so unlike the receipt digest
    it must stay behind the server secret: a copy of the database alone gives
    nothing to guess against. Raises ValueError for anything but exactly one
    digit per symbol of a receipt code.
    """
    if len(server_secret) < _MIN_SERVER_SECRET_BYTES:
        raise ValueError(f"server secret must be at least {_MIN_SERVER_SECRET_BYTES} bytes")
    if len(keypad_digits) != RECEIPT_CODE_LENGTH or not keypad_digits.isascii():
        raise ValueError("a keypad code is one digit for every symbol of a receipt code")
    if not keypad_digits.isdigit():
        raise ValueError("a keypad code is digits only")
    message = _KEYPAD_DOMAIN + keypad_digits.encode("ascii")
    return hmac.new(bytes(server_secret), message, hashlib.sha256).hexdigest()


def reply_keypair(canonical_code: str) -> tuple[bytes, bytes]:
    """Derive the X25519 ``(private_key, public_key)`` for replies from a receipt code.

    Staff seal replies to the public half, which is stored with the contact. The
    private half is never stored: only someone holding the receipt code can
    derive it, which the public app does (through ``open_reply``) when the person
    comes back with their code. It opens replies to that one person and nothing else.
    """
    seed = hashlib.blake2b(
        _canonical_bytes(canonical_code), digest_size=32, person=_REPLY_KEY_PERSON
    ).digest()
    private = nacl.public.PrivateKey.from_seed(seed)
    return bytes(private), bytes(private.public_key)


def open_reply(canonical_code: str, envelope: bytes) -> bytes:
    """Open a reply that staff sealed to the reply key of this receipt code.

    The public app reads replies with this rather than ``crypto.opening``, which it
    is forbidden to import (import-linter): this function can only use the key
    derived from the code it is given, so it can never open a submission sealed
    to a team key. Raises UnknownKeyError if the reply was sealed for another
    code, DecryptionError if it was tampered with, MalformedEnvelopeError if it
    is not a sealed envelope.
    """
    parts = read_envelope(envelope)
    private_key, public_key = reply_keypair(canonical_code)
    if not hmac.compare_digest(key_id(public_key), parts.key_id):
        raise UnknownKeyError("the reply was not sealed to this receipt code")
    box = nacl.public.SealedBox(nacl.public.PrivateKey(private_key))
    try:
        opened = box.decrypt(parts.ciphertext)
    except nacl.exceptions.CryptoError:
        raise DecryptionError("sealed reply failed authentication") from None
    return parts.plaintext_from(opened)


def _canonical_bytes(canonical_code: str) -> bytes:
    # A grouped or lower-case code would silently give a different digest or key,
    # and the person could never find their contact again; refuse it loudly.
    if not canonical_code or any(char not in ALPHABET for char in canonical_code):
        raise ValueError("receipt code must be canonical (see crypto.codes.normalise_code)")
    return canonical_code.encode("ascii")
