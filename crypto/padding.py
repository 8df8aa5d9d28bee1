"""Padding before sealing, so a ciphertext's length says little about what was typed.

A sealed envelope is exactly as long as its plaintext plus a fixed overhead.
Unpadded, a copy of the database would tell whether a name or note was given,
how many digits a number has, roughly how long a message is. So every
plaintext is padded inside the seal::

    length of the plaintext (4 bytes, big-endian) | plaintext | zero bytes

to a fixed bucket: 1 KiB, then every power of two up to 64 KiB, then the next
multiple of 64 KiB (recordings). Everything a form can hold short of a long
message lands in the first bucket; a long message tells only its power of two.
"""

MIN_BUCKET = 1024
_LARGE_STEP = 64 * 1024
_LENGTH_BYTES = 4
MAX_PLAINTEXT = 2**32 - 1


def bucket_size(plaintext_length: int) -> int:
    """The padded size for a plaintext of this many bytes (length prefix included)."""
    if plaintext_length < 0 or plaintext_length > MAX_PLAINTEXT:
        raise ValueError("plaintext length out of range")
    needed = plaintext_length + _LENGTH_BYTES
    if needed > _LARGE_STEP:
        return -(-needed // _LARGE_STEP) * _LARGE_STEP
    size = MIN_BUCKET
    while size < needed:
        size *= 2
    return size


def pad(plaintext: bytes) -> bytes:
    """Prefix the length and fill with zero bytes up to the bucket size."""
    length = len(plaintext)
    padded = length.to_bytes(_LENGTH_BYTES, "big") + bytes(plaintext)
    return padded + bytes(bucket_size(length) - len(padded))


def unpad(padded: bytes) -> bytes:
    """The plaintext inside ``pad``'s output; ValueError if it cannot be one."""
    if len(padded) < _LENGTH_BYTES:
        raise ValueError("padded plaintext is too short")
    length = int.from_bytes(padded[:_LENGTH_BYTES], "big")
    if len(padded) != bucket_size(length):
        raise ValueError("padded plaintext has the wrong size for its length")
    if any(padded[_LENGTH_BYTES + length :]):
        raise ValueError("padding is not all zero")
    return bytes(padded[_LENGTH_BYTES : _LENGTH_BYTES + length])
