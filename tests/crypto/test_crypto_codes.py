import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.codes import (
    ALPHABET,
    RECEIPT_CODE_LENGTH,
    RECOVERY_CODE_LENGTH,
    group_code,
    new_receipt_code,
    new_recovery_code,
    normalise_code,
)

SYMBOL = f"[{ALPHABET}]"
canonical_codes = st.text(alphabet=ALPHABET, min_size=1, max_size=40)


def test_alphabet_is_crockford_base32() -> None:
    assert ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_code_lengths_carry_enough_entropy() -> None:
    bits_per_symbol = math.log2(len(ALPHABET))
    assert RECEIPT_CODE_LENGTH * bits_per_symbol >= 80
    assert RECOVERY_CODE_LENGTH * bits_per_symbol >= 128


def test_receipt_code_is_printed_in_four_groups_of_four() -> None:
    code = new_receipt_code()
    assert re.fullmatch(f"{SYMBOL}{{4}}(-{SYMBOL}{{4}}){{3}}", code)


def test_recovery_code_is_printed_in_groups_of_four_with_a_short_last_group() -> None:
    code = new_recovery_code()
    assert re.fullmatch(f"{SYMBOL}{{4}}(-{SYMBOL}{{4}}){{5}}-{SYMBOL}{{2}}", code)
    assert len(code.replace("-", "")) == RECOVERY_CODE_LENGTH


def test_codes_are_unique_and_use_the_whole_alphabet() -> None:
    codes = [new_receipt_code() for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    assert set("".join(codes).replace("-", "")) == set(ALPHABET)


def test_printed_codes_normalise() -> None:
    receipt = new_receipt_code()
    recovery = new_recovery_code()
    assert normalise_code(receipt, RECEIPT_CODE_LENGTH) == receipt.replace("-", "")
    assert normalise_code(recovery, RECOVERY_CODE_LENGTH) == recovery.replace("-", "")


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-JKMN-PQRS",
        "abcd-efgh-jkmn-pqrs",
        "ABCDEFGHJKMNPQRS",
        "abcd efgh jkmn pqrs",
        "  ABCD  EFGH\tJKMN\nPQRS  ",
        "ABCD.EFGH.JKMN.PQRS",
        "ABCD_EFGH/JKMN,PQRS",
        "ABCD\u2013EFGH\u2014JKMN\u2010PQRS",
        "ABCD\u00a0EFGH\u2009JKMN PQRS",
        "\uff21\uff22\uff23\uff24-EFGH-JKMN-PQRS",
    ],
)
def test_normalise_accepts_how_people_type(typed: str) -> None:
    assert normalise_code(typed, RECEIPT_CODE_LENGTH) == "ABCDEFGHJKMNPQRS"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("O0O0-o0o0-IiLl-1111", "0000000011111111"),
        ("UuVv-AAAA-AAAA-AAAA", "VVVVAAAAAAAAAAAA"),
    ],
)
def test_normalise_maps_look_alikes(typed: str, canonical: str) -> None:
    assert normalise_code(typed, RECEIPT_CODE_LENGTH) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "ABCD-EFGH-JKMN-PQR",
        "ABCD-EFGH-JKMN-PQRST",
        "ABCD-EFGH-JKMN-PQR!",
        "ABCD-EFGH-JKMN-PQRÅ",
        "ABCD-EFGH-JKMN-PQRÖ",
        "ABCD-EFGH-JKMN-PQRß",
        "ABCD-EFGH-JKMN-PQRı",
        "ABCD-EFGH-JKMN-PQR\U0001f600",
        "ABCD-EFGH-JKMN-PQR#",
        "ABCD-EFGH-JKMN-PQR\x00",
        "ABCD" + "-" * 1000 + "EFGHJKMNPQRS",
    ],
)
def test_normalise_rejects_wrong_length_and_foreign_characters(typed: str) -> None:
    assert normalise_code(typed, RECEIPT_CODE_LENGTH) is None


def test_receipt_is_not_a_recovery_code() -> None:
    assert normalise_code(new_receipt_code(), RECOVERY_CODE_LENGTH) is None
    assert normalise_code(new_recovery_code(), RECEIPT_CODE_LENGTH) is None


@given(canonical=canonical_codes)
def test_normalise_undoes_grouping(canonical: str) -> None:
    assert normalise_code(group_code(canonical), len(canonical)) == canonical


@given(canonical=canonical_codes)
def test_normalise_accepts_lower_case_and_spaces(canonical: str) -> None:
    typed = " ".join(group_code(canonical).lower().split("-"))
    assert normalise_code(typed, len(canonical)) == canonical


@given(text=st.text(max_size=60), length=st.integers(1, 30))
def test_normalise_returns_none_or_a_canonical_code(text: str, length: int) -> None:
    result = normalise_code(text, length)
    assert result is None or (len(result) == length and set(result) <= set(ALPHABET))


def test_group_code() -> None:
    assert group_code("ABCDEFGH") == "ABCD-EFGH"
    assert group_code("ABCDEF") == "ABCD-EF"
    assert group_code("ABC") == "ABC"


@pytest.mark.parametrize("bad", ["abcd", "ABCD-EFGH", "ABCI", "ABCO"])
def test_group_code_rejects_non_canonical(bad: str) -> None:
    with pytest.raises(ValueError, match="canonical"):
        group_code(bad)
