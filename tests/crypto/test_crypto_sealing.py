import os

import nacl.public
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import CryptoError, DecryptionError, MalformedEnvelopeError, UnknownKeyError
from crypto.keys import generate_team_keypair, key_id
from crypto.opening import open_sealed
from crypto.padding import MIN_BUCKET
from crypto.sealing import envelope_key_id, seal

HEADER_BYTES = 11
SEALED_BOX_OVERHEAD = 48

TEAM_PRIVATE, TEAM_PUBLIC = generate_team_keypair()
TEAM_KEYS = {key_id(TEAM_PUBLIC): TEAM_PRIVATE}


@given(plaintext=st.binary(max_size=4096))
def test_seal_then_open_round_trips(plaintext: bytes) -> None:
    assert open_sealed(TEAM_KEYS, seal(TEAM_PUBLIC, plaintext)) == plaintext


@pytest.mark.parametrize("size", [0, 1, 5 * 1024 * 1024])
def test_round_trip_of_empty_and_large_plaintexts(size: int) -> None:
    plaintext = os.urandom(size)
    assert open_sealed(TEAM_KEYS, seal(TEAM_PUBLIC, plaintext)) == plaintext


def test_envelope_layout() -> None:
    envelope = seal(TEAM_PUBLIC, b"hej")
    assert envelope[:3] == b"US\x02"
    assert envelope[3:HEADER_BYTES] == bytes.fromhex(key_id(TEAM_PUBLIC))
    assert len(envelope) == HEADER_BYTES + SEALED_BOX_OVERHEAD + MIN_BUCKET
    assert envelope_key_id(envelope) == key_id(TEAM_PUBLIC)


@pytest.mark.parametrize(
    ("short", "long"),
    [
        (b"", b"x" * 1000),  # nothing typed, or a whole note
        (b"0701234567", b"+4670123456789"),  # how many digits
        (b'{"phone":"0701234567"}', b'{"name":"Anna Andersson","phone":"0701234567"}'),
        (b"a" * 1100, b"a" * 2000),  # two long messages in one bucket
    ],
)
def test_the_envelope_length_does_not_tell_what_was_typed(short: bytes, long: bytes) -> None:
    assert len(seal(TEAM_PUBLIC, short)) == len(seal(TEAM_PUBLIC, long))


def test_envelopes_sealed_before_padding_are_still_read() -> None:
    header = b"US\x01" + bytes.fromhex(key_id(TEAM_PUBLIC))
    old = header + nacl.public.SealedBox(nacl.public.PublicKey(TEAM_PUBLIC)).encrypt(b"hej")
    assert open_sealed(TEAM_KEYS, old) == b"hej"


def test_a_padded_envelope_whose_padding_is_wrong_is_refused() -> None:
    header = b"US\x02" + bytes.fromhex(key_id(TEAM_PUBLIC))
    unpadded = header + nacl.public.SealedBox(nacl.public.PublicKey(TEAM_PUBLIC)).encrypt(b"hej")
    with pytest.raises(DecryptionError):
        open_sealed(TEAM_KEYS, unpadded)


def test_sealing_is_randomised() -> None:
    assert seal(TEAM_PUBLIC, b"same") != seal(TEAM_PUBLIC, b"same")


def test_plaintext_does_not_appear_in_envelope() -> None:
    plaintext = b"my name is Anna and I live at Storgatan 1"
    assert plaintext not in seal(TEAM_PUBLIC, plaintext)


def test_seal_rejects_wrong_length_public_key() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        seal(b"\x01" * 31, b"x")


def test_unknown_key_id() -> None:
    _, other_public = generate_team_keypair()
    with pytest.raises(UnknownKeyError):
        open_sealed(TEAM_KEYS, seal(other_public, b"x"))


def test_empty_key_mapping() -> None:
    with pytest.raises(UnknownKeyError):
        open_sealed({}, seal(TEAM_PUBLIC, b"x"))


def test_other_teams_key_registered_under_the_right_id_fails() -> None:
    other_private, _ = generate_team_keypair()
    with pytest.raises(DecryptionError):
        open_sealed({key_id(TEAM_PUBLIC): other_private}, seal(TEAM_PUBLIC, b"x"))


def test_swapped_header_key_id_fails() -> None:
    # Sealed to the other team, header rewritten to name ours, and the other team's
    # key registered under our id: the SealedBox would open, the id check must not.
    other_private, other_public = generate_team_keypair()
    envelope = seal(other_public, b"secret")
    swapped = envelope[:3] + bytes.fromhex(key_id(TEAM_PUBLIC)) + envelope[HEADER_BYTES:]
    with pytest.raises(DecryptionError):
        open_sealed({key_id(TEAM_PUBLIC): other_private}, swapped)


def test_header_rewritten_to_another_real_key_fails() -> None:
    other_private, other_public = generate_team_keypair()
    keys = {**TEAM_KEYS, key_id(other_public): other_private}
    envelope = seal(TEAM_PUBLIC, b"secret")
    swapped = envelope[:3] + bytes.fromhex(key_id(other_public)) + envelope[HEADER_BYTES:]
    with pytest.raises(DecryptionError):
        open_sealed(keys, swapped)


@settings(max_examples=200)
@given(plaintext=st.binary(max_size=64), data=st.data())
def test_any_single_byte_tamper_is_detected(plaintext: bytes, data: st.DataObject) -> None:
    envelope = bytearray(seal(TEAM_PUBLIC, plaintext))
    index = data.draw(st.integers(0, len(envelope) - 1), label="index")
    envelope[index] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(CryptoError):
        open_sealed(TEAM_KEYS, bytes(envelope))


@given(plaintext=st.binary(max_size=64), data=st.data())
def test_truncation_is_detected(plaintext: bytes, data: st.DataObject) -> None:
    envelope = seal(TEAM_PUBLIC, plaintext)
    cut = data.draw(st.integers(0, len(envelope) - 1), label="cut")
    with pytest.raises(CryptoError):
        open_sealed(TEAM_KEYS, envelope[:cut])


@given(extra=st.binary(min_size=1, max_size=32))
def test_appended_bytes_are_detected(extra: bytes) -> None:
    with pytest.raises(DecryptionError):
        open_sealed(TEAM_KEYS, seal(TEAM_PUBLIC, b"x") + extra)


@pytest.mark.parametrize(
    "envelope",
    [
        b"",
        b"US\x01",
        b"XX\x01" + bytes(8 + SEALED_BOX_OVERHEAD),
        b"US\x03" + bytes(8 + SEALED_BOX_OVERHEAD),
        b"US\x00" + bytes(8 + SEALED_BOX_OVERHEAD),
        b"US\x01" + bytes(8 + SEALED_BOX_OVERHEAD - 1),
    ],
)
def test_malformed_envelopes(envelope: bytes) -> None:
    with pytest.raises(MalformedEnvelopeError):
        envelope_key_id(envelope)
    with pytest.raises(MalformedEnvelopeError):
        open_sealed(TEAM_KEYS, envelope)


def test_key_rotation() -> None:
    old_private, old_public = generate_team_keypair()
    new_private, new_public = generate_team_keypair()
    old_envelope = seal(old_public, b"before rotation")
    new_envelope = seal(new_public, b"after rotation")

    both = {key_id(old_public): old_private, key_id(new_public): new_private}
    assert open_sealed(both, old_envelope) == b"before rotation"
    assert open_sealed(both, new_envelope) == b"after rotation"

    only_new = {key_id(new_public): new_private}
    assert open_sealed(only_new, new_envelope) == b"after rotation"
    with pytest.raises(UnknownKeyError):
        open_sealed(only_new, old_envelope)


def test_error_messages_hold_no_plaintext_or_key_material() -> None:
    other_private, _ = generate_team_keypair()
    envelope = seal(TEAM_PUBLIC, b"very secret words")
    with pytest.raises(DecryptionError) as caught:
        open_sealed({key_id(TEAM_PUBLIC): other_private}, envelope)
    message = str(caught.value)
    assert "very secret" not in message
    assert other_private.hex() not in message
    assert TEAM_PRIVATE.hex() not in message


def test_an_old_envelope_of_nothing_at_all_still_opens() -> None:
    """Version 1 sealed an empty plaintext into exactly header + overhead bytes."""
    header = b"US\x01" + bytes.fromhex(key_id(TEAM_PUBLIC))
    empty = header + nacl.public.SealedBox(nacl.public.PublicKey(TEAM_PUBLIC)).encrypt(b"")
    assert len(empty) == HEADER_BYTES + SEALED_BOX_OVERHEAD
    assert open_sealed(TEAM_KEYS, empty) == b""
