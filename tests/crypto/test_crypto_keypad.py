"""A receipt code typed on a phone's keypad, and the digest that finds it."""

import hashlib
import hmac
import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.codes import ALPHABET, RECEIPT_CODE_LENGTH, keypad_digits
from crypto.receipts import keypad_digest, receipt_digest

SERVER_SECRET = bytes(range(32))
receipt_codes = st.text(
    alphabet=ALPHABET, min_size=RECEIPT_CODE_LENGTH, max_size=RECEIPT_CODE_LENGTH
)


def test_each_letter_is_the_digit_it_is_printed_on() -> None:
    assert keypad_digits("0123456789") == "0123456789"
    assert keypad_digits("ABCDEFGHJKMNPQRSTVWXYZ") == "2223334455667777889999"
    assert keypad_digits("K7QM4XRT") == "57764978"


def test_only_a_canonical_code_has_a_keypad_form() -> None:
    for typed in ("", "k7qm", "K7-QM", "ÅÄÖ1"):
        with pytest.raises(ValueError, match="canonical"):
            keypad_digits(typed)


def test_the_keypad_form_keeps_enough_bits_against_guessing_over_the_phone() -> None:
    """What the README promises: about 51 bits on average, and even the
    likeliest keypad code (every symbol on 7 or 9) is one in 2**42.8."""
    per_key = Counter(keypad_digits(ALPHABET))
    assert sum(per_key.values()) == len(ALPHABET)
    shares = [count / len(ALPHABET) for count in per_key.values()]
    shannon = -sum(share * math.log2(share) for share in shares) * RECEIPT_CODE_LENGTH
    min_entropy = -math.log2(max(shares)) * RECEIPT_CODE_LENGTH
    assert 50.5 < shannon < 51.5
    assert 42.5 < min_entropy < 43.0


def test_keypad_digest_is_an_hmac_of_the_digits_kept_apart_from_receipt_digests() -> None:
    digits = "5776497822223333"
    expected = hmac.new(
        SERVER_SECRET, b"utvag-keypad-code:" + digits.encode(), hashlib.sha256
    ).hexdigest()
    assert keypad_digest(SERVER_SECRET, digits) == expected
    # A code made only of digits: its keypad form is itself, its digests differ.
    assert keypad_digest(SERVER_SECRET, digits) != receipt_digest(SERVER_SECRET, digits)
    assert keypad_digest(bytes(32), digits) != expected


@pytest.mark.parametrize("typed", ["", "123", "57764978222233334", "5776497822223a33", "５" * 16])
def test_keypad_digest_refuses_anything_but_sixteen_ascii_digits(typed: str) -> None:
    with pytest.raises(ValueError, match="keypad code"):
        keypad_digest(SERVER_SECRET, typed)


def test_keypad_digest_refuses_a_short_secret() -> None:
    with pytest.raises(ValueError, match="server secret"):
        keypad_digest(bytes(16), "5776497822223333")


@given(receipt_codes)
def test_every_code_has_a_digest_for_its_keypad_form(code: str) -> None:
    digits = keypad_digits(code)
    assert len(digits) == RECEIPT_CODE_LENGTH
    assert digits.isdigit()
    assert len(keypad_digest(SERVER_SECRET, digits)) == 64
