"""What the hotline says, in which language and voice.

Every spoken sentence is a message in the intake's translation catalogues,
like every string on the public site (English source, Swedish and Arabic
translations; the Arabic is a draft awaiting a native reviewer). The call
is in Swedish until the caller picks another language in the menu; the
choice then travels in the webhook URLs (``?lang=en``), which Twilio signs.

Voices: Twilio's ``alice`` for Swedish (sv-SE) and English (en-GB); Amazon
Polly's ``Zeina`` (arb) through Twilio for Arabic, the only Arabic voice
Twilio offers. Each language's own offer ("For English, press 8") is spoken
in that language's voice, whatever the call's language.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

DEFAULT_LANGUAGE = "sv"
VOICES = {
    "sv": {"language": "sv-SE", "voice": "alice"},
    "en": {"language": "en-GB", "voice": "alice"},
    "ar": {"language": "arb", "voice": "Polly.Zeina"},
}
# Menu keys that switch the call's language, and each offer in its own words.
LANGUAGE_KEYS = {"7": "sv", "8": "en", "9": "ar"}
LANGUAGE_OFFERS = {
    "sv": "För svenska, tryck 7.",
    "en": "For English, press 8.",
    "ar": "للعربية، اضغط 9.",
}

EMERGENCY = _l("If you are in danger right now, hang up and call 112.")
WELCOME = _l("You have reached the programme for people who want to leave a criminal group.")
NOBODY_NOW = _l("Nobody can answer right now.")
CLOSED_UNTIL = _l("We are closed now and open again %(when)s.")
# A day the team closed itself (a closure, not a weekend or holiday).
CLOSED_TODAY = _l("We are closed today and open again %(when)s.")
OPENS_AT = _l("%(day)s at %(time)s")
MENU_CHOICES = _l(
    "Press 1 if you want us to call you back on this number. "
    "Press 2 to leave a message. "
    "Press 3 if you are calling about someone close to you, and we will call you back."
)
NO_CHOICE = _l("We did not get a choice. You can also write to us on our website. Goodbye.")
THANKS = _l(
    "Thank you. We will call you back on this number on a weekday during office hours. "
    "If it is not a good time when we call, just say it is a wrong number."
)
HIDDEN_NUMBER = _l(
    "We cannot see your number, so we cannot call you back. "
    "Press 2 to leave a message instead. "
    "You can also call again without hiding your number, or write to us on our website."
)
CANNOT_CALL_BACK = _l(
    "We cannot call this number back. "
    "Press 2 to leave a message instead, and say how we can reach you. "
    "You can also write to us on our website."
)
LEAVE_MESSAGE = _l(
    "Leave your message after the tone. You have two minutes. "
    "Please say how and when we can reach you. Press the hash key or hang up when you are done."
)
MESSAGE_THANKS = _l(
    "Thank you, we have your message. We will listen to it on a weekday during office hours."
)
PUTTING_THROUGH = _l("Please wait, we are putting you through.")
YOUR_CODE = _l(
    "If you want to read our replies on our website, you need your code. "
    "Write it down. Your code is: %(code)s."
)
REPEAT_CODE = _l("Press 1 to hear the code again.")
GOODBYE = _l("Goodbye.")
SCREENING = _l("A call from the hotline. Press 1 to take it.")
CALL_FROM_QUESTION = _l(
    "Which number may we call you from? Your phone keeps it in its call log. "
    "Press 1 for a number that says nothing about who we are. "
    "Press 2 for this number, the hotline's."
)
# What the caller hears after choosing (keys: ``utvag.store.models.CallFrom``).
CALLING_FROM = {
    "neutral": _l("We will call from a number that says nothing about who we are."),
    "hotline": _l("We will call from this number."),
}

# A number of ours that no team owns (a Twilio number pointed at our URLs
# before any team took it): one sentence that names no one, then goodbye.
UNKNOWN_NUMBER = _l("This number does not take calls. Goodbye.")
# The install-wide number's menu, when several teams have their own number.
REGION_CHOICE = _l("Press %(key)s for %(team)s.")
REGION_DONT_KNOW = _l("Press 0 if you do not know which, or would rather not say.")
REGION_NOT_ON_LIST = _l("That key is not on the list.")

# The number that names nothing. Its greeting is the same for every caller
# and always Swedish: the language of a greeting would say something about
# whom it expects. It names no one, offers no menu, and asks only for a code.
NEUTRAL_GREETING = _l(
    "You have called a number that does not take calls. "
    "If you have been given a code by us, key it in now. "
    "Key each letter as the digit it is printed on."
)
NEUTRAL_WRONG_CODE = _l("That code is not right.")
# Only after the right code: who we are, what has happened, what they can do
# (in the language the person wrote to us in, Swedish if they called).
NEWS_TRIED_TO_CALL = _l("We have tried to call you but did not reach you.")
NEWS_WILL_CALL = _l("We have your request and will call you.")
NEWS_REPLIED = _l("We have written to you. Read it on our website with your code.")
UNLOCKED_CHOICES = _l(
    "Press 1 if you want us to call you on this number. Press 2 to leave a message."
)
CALL_AGAIN_THANKS = _l(
    "Thank you. We will call you on this number on a weekday during office hours."
)
UNLOCKED_HIDDEN_NUMBER = _l(
    "We cannot see your number, so we cannot call you on it. Press 2 to leave a message instead."
)


def language_of(value: str | None) -> str:
    return value if value in VOICES else DEFAULT_LANGUAGE


def words(lang: str, message: LazyString, **values: str) -> str:
    """``message`` in ``lang``, with ``values`` put in."""
    with force_locale(lang):
        text = str(message)
    return text % values if values else text


def opening_time(lang: str, opens: datetime) -> str:
    """ "måndag 28 december klockan 08:00", in the call's language (``opens``
    in the team's own time zone)."""
    spoken_day = format_date(opens.date(), "EEEE d MMMM", locale=lang)
    return words(lang, OPENS_AT, day=spoken_day, time=opens.strftime("%H:%M"))


def spelled(code: str) -> str:
    """A grouped receipt code read slowly: "K, 7, Q, M. 4, X, R, T." The
    commas and full stops are pauses in every voice."""
    return " ".join(", ".join(group) + "." for group in code.split("-"))
