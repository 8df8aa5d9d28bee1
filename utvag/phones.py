"""Phone numbers: which ones we will call, and one normal form (E.164).

Every number we keep to call back is dialled by staff or by the hotline's
Twilio account, on the programme's bill. So a number is refused unless it is
a mobile, a fixed line, or one of the two (``phonenumbers``' own types), in
one of the countries the install calls (``UTVAG_CALL_COUNTRIES``, Sweden by
default). That keeps out toll fraud: premium-rate numbers (Swedish 0900,
0939, 0944), shared cost, UAN (0771), VoIP (075), pagers (074), personal
numbers (+44 70), toll-free and voicemail access numbers, satellite phones
(+881, +882, +870: no country at all) and anything whose type is unknown.

:func:`check_phone` is the one check: every place that stores or dials a
number to call goes through it. It tells why it refused by a code
(:class:`PhoneRefusal`); each app words that in its own languages.

The programme's own number on the public site is the one exception
(:func:`normalise_public_number`): people dial it, we never do, and a
programme may well have a 020 or 0771 number.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import phonenumbers
from babel import Locale
from babel.lists import format_list
from phonenumbers import PhoneNumberType

DEFAULT_REGION = "SE"
DEFAULT_CALL_COUNTRIES: tuple[str, ...] = ("SE",)
# The only kinds of number staff or the hotline may ring.
CALLABLE_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
# phonenumbers' region for numbers of no country (satellite, global services).
NO_COUNTRY = "001"


class PhoneRefusal(enum.Enum):
    """Why a number is not one we call."""

    UNREADABLE = "unreadable"  # not a phone number at all
    NOT_CALLABLE = "not_callable"  # premium rate, satellite, VoIP, pager, ...
    OTHER_COUNTRY = "other_country"  # a real mobile or landline, outside our countries


@dataclass(frozen=True)
class PhoneCheck:
    """A number in E.164 form, or the reason it was refused (never both)."""

    number: str | None
    refusal: PhoneRefusal | None


def takes_sms(e164: str) -> bool:
    """Whether a number we may call is a mobile (a staff notice is an SMS;
    a fixed line would get it read aloud, or not at all)."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in {
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }


def check_phone(raw: str, call_countries: Collection[str]) -> PhoneCheck:
    """Whether ``raw`` is a number we may call, in E.164 form if so.

    Swedish numbers may be typed without +46. ``call_countries`` are ISO
    3166 region codes (``Config.call_countries``)."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return PhoneCheck(None, PhoneRefusal.UNREADABLE)
    if not phonenumbers.is_valid_number(number):
        return PhoneCheck(None, PhoneRefusal.UNREADABLE)
    region = phonenumbers.region_code_for_number(number)
    if region == NO_COUNTRY or phonenumbers.number_type(number) not in CALLABLE_TYPES:
        return PhoneCheck(None, PhoneRefusal.NOT_CALLABLE)
    if region not in call_countries:
        return PhoneCheck(None, PhoneRefusal.OTHER_COUNTRY)
    return PhoneCheck(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None)


def normalise_public_number(raw: str) -> str | None:
    """The programme's own number, shown on the public site, in E.164 form;
    any valid number. Never for a number we call: use :func:`check_phone`."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_call_countries(text: str) -> tuple[str, ...]:
    """``"SE, NO dk"`` → ``("SE", "NO", "DK")``; ValueError for a code that
    names no country phonenumbers knows."""
    codes = tuple(dict.fromkeys(part.upper() for part in text.replace(",", " ").split()))
    if not codes:
        raise ValueError("name at least one country")
    unknown = [code for code in codes if code not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise ValueError(f"not a country code: {', '.join(unknown)}")
    return codes


def countries_in_words(call_countries: Iterable[str], locale: str) -> str:
    """ "Sverige, Norge och Danmark": the countries' names joined in ``locale``."""
    names = Locale.parse(locale).territories
    return format_list([names.get(code, code) for code in call_countries], locale=locale)


def phone_for_display(e164: str) -> str:
    """Swedish numbers as staff dial them from a desk phone, others international."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 46:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
