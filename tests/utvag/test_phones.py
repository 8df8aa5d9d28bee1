"""The one phone check: mobile and fixed-line numbers in the install's own
countries, nothing a toll fraudster could make us ring (utvag/phones.py).

The examples are real ones from phonenumbers' metadata: the same numbers
the library itself uses to describe each country's number types."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from utvag.config import ConfigError, load_config
from utvag.phones import (
    CALLABLE_TYPES,
    PhoneRefusal,
    check_phone,
    countries_in_words,
    normalise_public_number,
    parse_call_countries,
)

SWEDEN = ("SE",)
NORDIC = ("SE", "NO", "DK", "FI", "IS")

# Numbers that cost the programme money, or reach nobody we should call.
NEVER_CALLED = {
    "0900 123 45 67": "Swedish premium rate (0900)",
    "0939 123 456": "Swedish premium rate (0939)",
    "0944 123 456": "Swedish premium rate (0944)",
    "+46 939 123 456": "Swedish premium rate, international form",
    "+881 6 1234 5678": "Iridium satellite (+881)",
    "+882 34 21234": "international networks, satellite (+882)",
    "+870 773 111 632": "Inmarsat (+870)",
    "+44 70 1234 5678": "UK personal number (+44 70)",
    "0771 23 45 67": "Swedish UAN (0771)",
    "075 123 45 67": "Swedish VoIP (075)",
    "074 012 34 56": "Swedish pager (074)",
    "020 123 456": "Swedish toll-free (020)",
    "+44 90 1234 5678": "UK premium rate (+44 90)",
}


@pytest.mark.parametrize("typed", sorted(NEVER_CALLED))
def test_premium_satellite_and_other_such_numbers_are_never_called(typed: str) -> None:
    checked = check_phone(typed, NORDIC + ("GB",))
    assert checked.number is None, NEVER_CALLED[typed]
    assert checked.refusal is PhoneRefusal.NOT_CALLABLE


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("070-123 45 67", "+46701234567"),  # a Swedish mobile
        ("0046 70 123 45 67", "+46701234567"),
        ("08-123 456 78", "+46812345678"),  # a Stockholm landline
        ("016-710 00 00", "+46167100000"),  # Eskilstuna's switchboard
    ],
)
def test_swedish_mobiles_and_landlines_are_called(typed: str, e164: str) -> None:
    assert check_phone(typed, SWEDEN).number == e164
    assert check_phone(typed, SWEDEN).refusal is None


def test_a_norwegian_mobile_is_called_only_where_the_install_allows_norway() -> None:
    assert check_phone("+47 412 34 567", SWEDEN).refusal is PhoneRefusal.OTHER_COUNTRY
    assert check_phone("+47 412 34 567", NORDIC).number == "+4741234567"


@pytest.mark.parametrize("typed", ["", "hem", "12", "070 123", "+46 70 123 45 67 89"])
def test_what_is_not_a_number_is_unreadable(typed: str) -> None:
    assert check_phone(typed, SWEDEN).refusal is PhoneRefusal.UNREADABLE


def _examples() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    examples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is not None:
                examples.append((region, example))
    return examples


def test_every_example_number_in_the_metadata_is_judged_by_its_type_and_country() -> None:
    """Every country's example of every type: called only if it is a mobile
    or fixed line of an allowed country; never a number of no country."""
    examples = _examples()
    assert len(examples) > 1000
    for region, example in examples:
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        callable_type = phonenumbers.number_type(example) in CALLABLE_TYPES
        own = check_phone(e164, (region,))
        assert (own.number is not None) == (
            callable_type and phonenumbers.region_code_for_number(example) == region
        ), (region, e164)
        if region != "SE":
            assert check_phone(e164, SWEDEN).number is None, (region, e164)
    for calling_code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(calling_code)
        if example is None:
            continue
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        assert check_phone(e164, NORDIC).refusal is PhoneRefusal.NOT_CALLABLE, e164


def test_the_programmes_own_public_number_may_be_any_valid_one() -> None:
    """People dial it, we never do: a 020 or 0771 number is fine there."""
    assert normalise_public_number("020-123 456") == "+4620123456"
    assert normalise_public_number("0771-23 45 67") == "+46771234567"
    assert normalise_public_number("hem") is None


def test_the_install_widens_the_countries_with_utvag_call_countries() -> None:
    assert load_config({}).call_countries == SWEDEN
    assert load_config({"UTVAG_CALL_COUNTRIES": "se, no dk,FI"}).call_countries == (
        "SE",
        "NO",
        "DK",
        "FI",
    )
    assert parse_call_countries("SE SE no") == ("SE", "NO")


@pytest.mark.parametrize("value", ["Sverige", "SE,XX", "001", ",", "SE;NO"])
def test_a_country_list_that_cannot_be_read_fails_at_start_in_one_line(value: str) -> None:
    with pytest.raises(ConfigError, match="UTVAG_CALL_COUNTRIES") as raised:
        load_config({"UTVAG_CALL_COUNTRIES": value})
    assert "\n" not in str(raised.value)


def test_the_countries_are_named_in_the_readers_language() -> None:
    assert countries_in_words(("SE", "NO", "DK"), "sv") == "Sverige, Norge och Danmark"
    assert countries_in_words(("SE",), "en") == "Sweden"
    assert countries_in_words(("SE",), "ar") == "السويد"
