"""The console's side of the one phone check (``utvag.phones.check_phone``).

Staff type numbers that will be dialled (their own phone for the switchboard,
a recorded contact's, a relative's referral, the duty phone), and the
switchboard dials what people gave us. Each goes through the same check as
the public site, with the install's countries; the refusal is said in
Swedish, with the reason, so a member knows why a number cannot be used.
"""

from __future__ import annotations

from flask_babel import gettext

from triage.state import state
from utvag.phones import PhoneCheck, PhoneRefusal, check_phone, countries_in_words

CONSOLE_LOCALE = "sv"


def checked_phone(raw: str) -> PhoneCheck:
    return check_phone(raw, state().config.call_countries)


def refusal_text(refusal: PhoneRefusal) -> str:
    """Why the console will not store or dial a number."""
    if refusal is PhoneRefusal.NOT_CALLABLE:
        return gettext(
            "We do not call that kind of number (premium-rate, shared-cost, satellite, VoIP,"
            " pager or personal numbers). Use a mobile or landline number."
        )
    if refusal is PhoneRefusal.OTHER_COUNTRY:
        return gettext(
            "We only call numbers in %(countries)s (the server's setting UTVAG_CALL_COUNTRIES).",
            countries=countries_in_words(state().config.call_countries, CONSOLE_LOCALE),
        )
    return gettext("That phone number does not look right.")
