"""What the public site says about the phone number a person gives us.

The check itself is :func:`utvag.phones.check_phone` (mobile and fixed-line
numbers in the install's own countries only, against toll fraud); this
module words its answer in the page's language, naming the countries in
that language too ("Sverige", "Sweden", "السويد").
"""

from __future__ import annotations

from flask_babel import get_locale, gettext

from intake_web.state import state
from utvag.phones import DEFAULT_CALL_COUNTRIES, PhoneRefusal, countries_in_words


def _countries() -> str:
    return countries_in_words(state().config.call_countries, str(get_locale() or "sv"))


def refusal_text(refusal: PhoneRefusal) -> str:
    """Why we cannot call the number typed, and what to do instead."""
    if refusal is PhoneRefusal.NOT_CALLABLE:
        return gettext(
            "We cannot call this kind of number (for example premium-rate, satellite or"
            " internet numbers). Enter a mobile or landline number."
        )
    if refusal is PhoneRefusal.OTHER_COUNTRY:
        return gettext(
            "We can only call numbers in %(countries)s. Enter a mobile or landline number"
            " from there, or write to us instead.",
            countries=_countries(),
        )
    return gettext("Enter a phone number we can call, for example 070 123 45 67.")


def phone_hint() -> str:
    """The hint under a phone field: which numbers we call."""
    if state().config.call_countries == DEFAULT_CALL_COUNTRIES:
        return gettext("A Swedish mobile or landline number where you can talk safely.")
    return gettext(
        "A mobile or landline number where you can talk safely, in %(countries)s. Write a"
        " number from outside Sweden with + and the country code.",
        countries=_countries(),
    )
