import hashlib

import pytest

from crypto.keys import generate_team_keypair, key_id, public_key_of


def test_generate_team_keypair_returns_32_byte_halves_that_match() -> None:
    private_key, public_key = generate_team_keypair()
    assert len(private_key) == 32
    assert len(public_key) == 32
    assert public_key_of(private_key) == public_key


def test_generated_keypairs_are_fresh() -> None:
    assert generate_team_keypair()[0] != generate_team_keypair()[0]


def test_key_id_is_16_lowercase_hex_from_personalised_blake2b() -> None:
    _, public_key = generate_team_keypair()
    expected = hashlib.blake2b(public_key, digest_size=8, person=b"utvag-key-id").hexdigest()
    assert key_id(public_key) == expected
    assert len(expected) == 16
    assert expected == expected.lower()


def test_key_id_differs_between_keys() -> None:
    assert key_id(generate_team_keypair()[1]) != key_id(generate_team_keypair()[1])


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_key_id_rejects_wrong_length(length: int) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        key_id(b"\x01" * length)


@pytest.mark.parametrize("length", [0, 31, 33])
def test_public_key_of_rejects_wrong_length(length: int) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        public_key_of(b"\x01" * length)
