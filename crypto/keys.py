"""Team key pairs (X25519) and their short, public key ids."""

import hashlib

import nacl.public

_KEY_BYTES = 32
_KEY_ID_BYTES = 8
_KEY_ID_PERSON = b"utvag-key-id"


def generate_team_keypair() -> tuple[bytes, bytes]:
    """Create a fresh X25519 key pair for a team.

    Returns ``(private_key, public_key)``, 32 bytes each. Submissions are sealed to
    the public half; the private half must only ever be stored wrapped.
    """
    private = nacl.public.PrivateKey.generate()
    return bytes(private), bytes(private.public_key)


def key_id(public_key: bytes) -> str:
    """Return the 16-lowercase-hex-character id of a public key.

    Every envelope records the id of the key it was sealed to, so a team can
    rotate keys and still pick the right private key for old envelopes. The
    BLAKE2b personalisation keeps these ids apart from any other hash of the key.
    """
    if len(public_key) != _KEY_BYTES:
        raise ValueError(f"public key must be {_KEY_BYTES} bytes")
    digest = hashlib.blake2b(bytes(public_key), digest_size=_KEY_ID_BYTES, person=_KEY_ID_PERSON)
    return digest.hexdigest()


def public_key_of(private_key: bytes) -> bytes:
    """Return the public half of an X25519 private key.

    Lets the opening side check that a private key really is the one an
    envelope names, instead of trusting the id it was registered under.
    """
    if len(private_key) != _KEY_BYTES:
        raise ValueError(f"private key must be {_KEY_BYTES} bytes")
    return bytes(nacl.public.PrivateKey(bytes(private_key)).public_key)
