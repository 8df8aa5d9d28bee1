"""Phone numbers: one normal form (E.164) for everything that is sealed."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "SE"


def normalise_phone(raw: str) -> str | None:
    """A valid number in E.164 form (Swedish numbers may be typed without +46)."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_for_display(e164: str) -> str:
    """Swedish numbers as staff dial them from a desk phone, others international."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 46:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
