import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.codes import ALPHABET, RECEIPT_CODE_LENGTH, new_receipt_code, normalise_code
from crypto.errors import CryptoError, UnknownKeyError
from crypto.keys import generate_team_keypair, key_id, public_key_of
from crypto.receipts import open_reply, receipt_digest, reply_keypair
from crypto.sealing import seal

# reply_keypair("0123456789ABCDEF")'s public half, recorded when replies
# were first sealed: it must never change.
KNOWN_REPLY_PUBLIC_KEY = "e2169b3c41a8e46dc406943044616beeac439db0de811186109771b7647dc067"

SERVER_SECRET = bytes(range(32))
CODE = "ABCDEFGHJKMNPQRS"
receipt_codes = st.text(
    alphabet=ALPHABET, min_size=RECEIPT_CODE_LENGTH, max_size=RECEIPT_CODE_LENGTH
)


def test_receipt_digest_is_hmac_sha256_hex() -> None:
    expected = hmac.new(SERVER_SECRET, CODE.encode(), hashlib.sha256).hexdigest()
    assert receipt_digest(SERVER_SECRET, CODE) == expected
    assert len(expected) == 64


def test_receipt_digest_is_deterministic() -> None:
    assert receipt_digest(SERVER_SECRET, CODE) == receipt_digest(SERVER_SECRET, CODE)


def test_receipt_digest_depends_on_secret_and_code() -> None:
    digest = receipt_digest(SERVER_SECRET, CODE)
    assert receipt_digest(bytes(32), CODE) != digest
    assert receipt_digest(SERVER_SECRET, "ABCDEFGHJKMNPQRT") != digest


def test_printed_and_typed_receipt_give_the_same_digest() -> None:
    printed = new_receipt_code()
    canonical = normalise_code(printed, RECEIPT_CODE_LENGTH)
    typed = normalise_code(printed.lower().replace("-", " "), RECEIPT_CODE_LENGTH)
    assert canonical is not None
    assert typed is not None
    assert receipt_digest(SERVER_SECRET, canonical) == receipt_digest(SERVER_SECRET, typed)


@pytest.mark.parametrize("length", [0, 16, 31])
def test_receipt_digest_rejects_short_secret(length: int) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        receipt_digest(bytes(length), CODE)


@pytest.mark.parametrize(
    "code", ["", "ABCD-EFGH-JKMN-PQRS", "abcdefghjkmnpqrs", "ABCDEFGHIJKLMNOP"]
)
def test_non_canonical_codes_are_refused(code: str) -> None:
    with pytest.raises(ValueError, match="canonical"):
        receipt_digest(SERVER_SECRET, code)
    with pytest.raises(ValueError, match="canonical"):
        reply_keypair(code)


def test_reply_keypair_is_deterministic_and_consistent() -> None:
    private_key, public_key = reply_keypair(CODE)
    assert (private_key, public_key) == reply_keypair(CODE)
    assert len(private_key) == 32
    assert len(public_key) == 32
    assert public_key_of(private_key) == public_key


@given(first=receipt_codes, second=receipt_codes)
def test_reply_keypair_differs_per_code(first: str, second: str) -> None:
    if first != second:
        assert reply_keypair(first)[1] != reply_keypair(second)[1]


@given(message=st.binary(max_size=2048))
def test_replies_round_trip(message: bytes) -> None:
    _, public_key = reply_keypair(CODE)
    assert open_reply(CODE, seal(public_key, message)) == message


def test_reply_for_another_code_is_unknown() -> None:
    _, public_key = reply_keypair(CODE)
    with pytest.raises(UnknownKeyError):
        open_reply("ABCDEFGHJKMNPQRT", seal(public_key, b"hej"))


def test_open_reply_cannot_open_team_envelopes() -> None:
    _, team_public = generate_team_keypair()
    with pytest.raises(UnknownKeyError):
        open_reply(CODE, seal(team_public, b"submission"))


@given(data=st.data())
def test_tampered_reply_is_detected(data: st.DataObject) -> None:
    _, public_key = reply_keypair(CODE)
    envelope = bytearray(seal(public_key, b"reply"))
    index = data.draw(st.integers(0, len(envelope) - 1), label="index")
    envelope[index] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(CryptoError):
        open_reply(CODE, bytes(envelope))


def test_replies_also_open_with_open_sealed() -> None:
    from crypto.opening import open_sealed

    private_key, public_key = reply_keypair(CODE)
    envelope = seal(public_key, b"reply")
    assert open_sealed({key_id(public_key): private_key}, envelope) == b"reply"


def test_the_reply_key_derivation_never_changes() -> None:
    """A known answer: replies sealed to keys derived today must open with the
    same code next year, so the derivation (BLAKE2b personalised for reply
    keys) is pinned."""
    _private, public = reply_keypair("0123456789ABCDEF")
    assert public.hex() == KNOWN_REPLY_PUBLIC_KEY
