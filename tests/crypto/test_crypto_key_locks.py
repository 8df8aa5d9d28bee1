"""Key locks: a team key's copies open only with that key's own lock secret."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import DecryptionError, MalformedEnvelopeError
from crypto.key_locks import HEADER_BYTES, lock, locked_key_id, new_lock_secret
from crypto.key_unlocking import unlock
from crypto.keys import generate_team_keypair, key_id

PRIVATE_KEY, PUBLIC_KEY = generate_team_keypair()
KEY_ID = key_id(PUBLIC_KEY)


@given(payload=st.binary(min_size=0, max_size=200))
def test_lock_then_unlock_round_trips(payload: bytes) -> None:
    secret = new_lock_secret()
    locked = lock(secret, KEY_ID, payload)
    assert locked_key_id(locked) == KEY_ID
    assert unlock(secret, locked) == payload


def test_the_locked_value_hides_the_key_and_names_only_its_id() -> None:
    locked = lock(new_lock_secret(), KEY_ID, PRIVATE_KEY)
    assert PRIVATE_KEY not in locked
    assert locked[:3] == b"UL\x01"
    assert locked[3:HEADER_BYTES] == bytes.fromhex(KEY_ID)


def test_another_keys_lock_does_not_open_it() -> None:
    locked = lock(new_lock_secret(), KEY_ID, PRIVATE_KEY)
    with pytest.raises(DecryptionError):
        unlock(new_lock_secret(), locked)


def test_a_header_rewritten_to_name_another_key_fails() -> None:
    """The key id is bound into the box key: pointing a copy at another key's
    lock (say one that was not destroyed) opens nothing."""
    secret = new_lock_secret()
    other_id = key_id(generate_team_keypair()[1])
    locked = lock(secret, KEY_ID, PRIVATE_KEY)
    rewritten = locked[:3] + bytes.fromhex(other_id) + locked[HEADER_BYTES:]
    with pytest.raises(DecryptionError):
        unlock(secret, rewritten)


@given(index=st.integers(min_value=HEADER_BYTES, max_value=HEADER_BYTES + 24 + 16 + 31))
def test_any_altered_byte_fails(index: int) -> None:
    secret = new_lock_secret()
    locked = bytearray(lock(secret, KEY_ID, PRIVATE_KEY))
    locked[index] ^= 1
    with pytest.raises(DecryptionError):
        unlock(secret, bytes(locked))


@pytest.mark.parametrize(
    "value", [b"", b"UL\x01" + bytes(8), b"US\x02" + bytes(80), b"UL\x02" + bytes(80)]
)
def test_what_is_not_locked_is_told_apart(value: bytes) -> None:
    assert locked_key_id(value) is None
    with pytest.raises(MalformedEnvelopeError):
        unlock(new_lock_secret(), value)


def test_malformed_secrets_and_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        lock(bytes(31), KEY_ID, b"x")
    with pytest.raises(ValueError, match="8 bytes"):
        lock(new_lock_secret(), "abcd", b"x")
    assert len(new_lock_secret()) == 32
    assert new_lock_secret() != new_lock_secret()
