"""Padding to fixed buckets: lengths hide what was typed, and padding round-trips."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.padding import MIN_BUCKET, bucket_size, pad, unpad


@given(plaintext=st.binary(max_size=200_000))
def test_pad_then_unpad_round_trips(plaintext: bytes) -> None:
    padded = pad(plaintext)
    assert len(padded) == bucket_size(len(plaintext))
    assert unpad(padded) == plaintext


@pytest.mark.parametrize(
    ("length", "bucket"),
    [
        (0, 1024),
        (1020, 1024),
        (1021, 2048),
        (5000, 8192),
        (65532, 65536),
        (65533, 131072),
        (200_000, 262144),
    ],
)
def test_buckets(length: int, bucket: int) -> None:
    assert bucket_size(length) == bucket


@given(a=st.integers(0, 300_000), b=st.integers(0, 300_000))
def test_buckets_never_shrink_as_the_plaintext_grows(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert MIN_BUCKET <= bucket_size(low) <= bucket_size(high)


@pytest.mark.parametrize(
    "padded",
    [
        b"",
        b"\x00\x00",
        (5).to_bytes(4, "big") + b"hello" + bytes(100),  # wrong bucket for its length
        (5).to_bytes(4, "big") + b"hello" + bytes(1014) + b"\x01",  # padding not zero
        (2000).to_bytes(4, "big") + bytes(1020),  # claims more than is there
    ],
)
def test_malformed_padding_is_refused(padded: bytes) -> None:
    with pytest.raises(ValueError, match="padd"):
        unpad(padded)
