"""Human codes (receipts and recovery codes) that can be read aloud over a phone.

Codes use Crockford's base32 alphabet: digits and upper-case letters without
I, L, O and U, so no two symbols sound or look alike and no rude words are
spelled by accident. Each symbol carries 5 bits.
"""

import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_CODE_LENGTH = 16  # 80 bits
RECOVERY_CODE_LENGTH = 26  # 130 bits

_GROUP = 4
# A phone keypad: each letter is typed as the digit it is printed on (ABC on
# 2 ... WXYZ on 9), each digit as itself. I, L, O and U are not in the
# alphabet, so 4, 5, 6 and 8 carry two letters each here, not three.
_KEYPAD = {
    **{digit: digit for digit in "0123456789"},
    **{letter: "2" for letter in "ABC"},
    **{letter: "3" for letter in "DEF"},
    **{letter: "4" for letter in "GH"},
    **{letter: "5" for letter in "JK"},
    **{letter: "6" for letter in "MN"},
    **{letter: "7" for letter in "PQRS"},
    **{letter: "8" for letter in "TV"},
    **{letter: "9" for letter in "WXYZ"},
}
# Letters people write for the digits and letters the alphabet leaves out.
_LOOK_ALIKES = {"O": "0", "I": "1", "L": "1", "U": "V"}
# Characters people put between groups: spaces, dashes of every kind, dots...
_SEPARATORS = frozenset("-._/,:;·'\"")
# Generous room for separators; anything longer is not a code and is refused
# before doing any per-character work on it.
_MAX_INPUT_FACTOR = 4


def new_receipt_code() -> str:
    """Create a receipt code, grouped for display: four groups of four characters.

    80 bits from ``secrets``: enough that a stored digest cannot be guessed,
    short enough to copy down or read aloud once. Store and derive from
    ``normalise_code(code, RECEIPT_CODE_LENGTH)``, not from the grouped form.
    """
    return group_code(_random_code(RECEIPT_CODE_LENGTH))


def new_recovery_code() -> str:
    """Create a recovery code and return it grouped in fours for display.

    130 bits, more than a receipt, because it unwraps a team private key and may
    face offline guessing against a copy of the database.
    """
    return group_code(_random_code(RECOVERY_CODE_LENGTH))


def normalise_code(text: str, length: int) -> str | None:
    """Turn what a person typed or read out into the canonical code, or None.

    Forgiving on purpose: people type codes in lower case, with spaces or other
    separators, and read O for 0 or I/L for 1, and a code that is refused for
    that reason locks someone out of their replies. Returns None (never raises)
    for the wrong number of symbols or any character that is not part of a code.
    """
    if len(text) > _MAX_INPUT_FACTOR * length + 16:
        return None
    # NFKC folds full-width and other compatibility forms from phone keyboards
    # to ASCII; it leaves letters such as Å and Ö alone, and those are refused.
    symbols = []
    for char in unicodedata.normalize("NFKC", text):
        if char.isspace() or char in _SEPARATORS or unicodedata.category(char) == "Pd":
            continue
        if not (char.isascii() and char.isalnum()):
            return None
        upper = char.upper()
        symbols.append(_LOOK_ALIKES.get(upper, upper))
    canonical = "".join(symbols)
    if len(canonical) != length:
        return None
    return canonical


def keypad_digits(canonical: str) -> str:
    """The code as it is typed on a phone's keypad: every letter as the digit
    it is printed on (K7QM -> 5776), every digit as itself.

    Several symbols share a key, so this keeps about 51 of the code's 80 bits
    (at worst, every symbol on 7 or 9, 42.8): far too few against a stolen
    database's offline guessing, which is why only an HMAC of it is kept
    (``crypto.receipts.keypad_digest``), and plenty against guessing over the
    phone, a few tries a call (see the README's hotline section).
    """
    if not canonical or any(char not in ALPHABET for char in canonical):
        raise ValueError("not a canonical code")
    return "".join(_KEYPAD[char] for char in canonical)


def group_code(canonical: str) -> str:
    """Split a canonical code into hyphen-separated groups of four for display.

    Groups of four are easy to read aloud and to check back; the hyphens are
    ignored again by ``normalise_code``.
    """
    if any(char not in ALPHABET for char in canonical):
        raise ValueError("not a canonical code")
    return "-".join(canonical[i : i + _GROUP] for i in range(0, len(canonical), _GROUP))


def _random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
