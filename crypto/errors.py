"""Exceptions raised by the crypto package.

Messages name what went wrong in general terms only; they never include
plaintext, secrets or key material, because exception text ends up in logs.
"""


class CryptoError(Exception):
    """Base class, so callers can treat every crypto failure alike when they want to."""


class MalformedEnvelopeError(CryptoError):
    """The bytes are not an envelope this code can read (magic, version, length, cost)."""


class UnknownKeyError(CryptoError):
    """No available private key has the key id named in the envelope."""


class DecryptionError(CryptoError):
    """The envelope was tampered with or the key does not fit it."""


class WrongSecretError(CryptoError):
    """The password or recovery code is wrong, or the wrapped key was tampered with.

    The two cases are deliberately indistinguishable.
    """
