import unicodedata

import nacl.pwhash.argon2id as argon2id
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crypto.unwrapping
from crypto.errors import CryptoError, MalformedEnvelopeError, WrongSecretError
from crypto.kdf import PRODUCTION_COST, TEST_COST, KdfCost, derive_wrapping_key
from crypto.keys import generate_team_keypair
from crypto.unwrapping import unwrap_private_key
from crypto.wrapping import wrap_private_key, wrapping_version

KDF_SETTINGS = settings(max_examples=20)
OPS = slice(3, 7)
MEM = slice(7, 15)
SALT = slice(15, 31)
ENVELOPE_BYTES = 3 + 4 + 8 + 16 + 24 + 16 + 32

PRIVATE_KEY, _ = generate_team_keypair()
PEPPER = bytes(range(32))
secrets_ = st.text(min_size=1, max_size=40)


def with_cost(wrapped: bytes, opslimit: int, memlimit: int) -> bytes:
    return (
        wrapped[: OPS.start] + opslimit.to_bytes(4, "big") + memlimit.to_bytes(8, "big")
    ) + wrapped[MEM.stop :]


@KDF_SETTINGS
@given(secret=secrets_)
def test_wrap_then_unwrap_round_trips(kdf_cost: KdfCost, secret: str) -> None:
    wrapped = wrap_private_key(PRIVATE_KEY, secret, kdf_cost, pepper=PEPPER)
    assert unwrap_private_key(wrapped, secret, pepper=PEPPER) == PRIVATE_KEY


@KDF_SETTINGS
@given(secret=secrets_, other=secrets_)
def test_wrong_secret_is_refused(kdf_cost: KdfCost, secret: str, other: str) -> None:
    if unicodedata.normalize("NFC", secret) == unicodedata.normalize("NFC", other):
        other = secret + "x"
    wrapped = wrap_private_key(PRIVATE_KEY, secret, kdf_cost, pepper=PEPPER)
    with pytest.raises(WrongSecretError):
        unwrap_private_key(wrapped, other, pepper=PEPPER)


def test_empty_secret_at_unwrap_is_a_wrong_secret(kdf_cost: KdfCost) -> None:
    with pytest.raises(WrongSecretError):
        unwrap_private_key(
            wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER), "", pepper=PEPPER
        )


def test_secret_is_nfc_normalised(kdf_cost: KdfCost) -> None:
    composed = "lösenord-på-svenska"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    wrapped = wrap_private_key(PRIVATE_KEY, composed, kdf_cost, pepper=PEPPER)
    assert unwrap_private_key(wrapped, decomposed, pepper=PEPPER) == PRIVATE_KEY


def test_envelope_layout_and_fresh_salt(kdf_cost: KdfCost) -> None:
    first = wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER)
    second = wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER)
    assert len(first) == ENVELOPE_BYTES
    assert first[:3] == b"UW\x02"
    assert wrapping_version(first) == 2
    assert first[SALT] != second[SALT]
    assert PRIVATE_KEY not in first


def test_cost_travels_in_the_envelope(kdf_cost: KdfCost) -> None:
    other_cost = KdfCost(opslimit=2, memlimit=2 * argon2id.MEMLIMIT_MIN)
    for cost in (kdf_cost, other_cost):
        wrapped = wrap_private_key(PRIVATE_KEY, "pw", cost, pepper=PEPPER)
        assert int.from_bytes(wrapped[OPS], "big") == cost.opslimit
        assert int.from_bytes(wrapped[MEM], "big") == cost.memlimit
        assert unwrap_private_key(wrapped, "pw", pepper=PEPPER) == PRIVATE_KEY


def test_default_cost_is_production(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[KdfCost] = []

    def fake_derive(secret: str, salt: bytes, cost: KdfCost) -> bytes:
        used.append(cost)
        return bytes(32)

    monkeypatch.setattr("crypto.wrapping.derive_wrapping_key", fake_derive)
    wrapped = wrap_private_key(PRIVATE_KEY, "pw", pepper=PEPPER)
    assert used == [PRODUCTION_COST]
    assert int.from_bytes(wrapped[OPS], "big") == argon2id.OPSLIMIT_SENSITIVE
    assert int.from_bytes(wrapped[MEM], "big") == 128 * 1024 * 1024


@settings(max_examples=100)
@given(data=st.data())
def test_tamper_outside_cost_is_detected(kdf_cost: KdfCost, data: st.DataObject) -> None:
    wrapped = bytearray(wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER))
    positions = [i for i in range(len(wrapped)) if not OPS.start <= i < MEM.stop]
    index = data.draw(st.sampled_from(positions), label="index")
    wrapped[index] ^= data.draw(st.integers(1, 255), label="xor")
    # The version byte turned to 1 reads as an envelope without the pepper,
    # whose key is then wrong: refused all the same, as a wrong secret.
    downgraded = index == 2 and wrapped[index] == 1
    expected = MalformedEnvelopeError if index < OPS.start and not downgraded else WrongSecretError
    with pytest.raises(expected):
        unwrap_private_key(bytes(wrapped), "pw", pepper=PEPPER)


@pytest.mark.parametrize(
    ("opslimit", "memlimit"),
    [(2, argon2id.MEMLIMIT_MIN), (1, 2 * argon2id.MEMLIMIT_MIN), (3, argon2id.MEMLIMIT_MIN + 1)],
)
def test_in_range_cost_tamper_is_a_wrong_secret(
    kdf_cost: KdfCost, opslimit: int, memlimit: int
) -> None:
    wrapped = wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER)
    with pytest.raises(WrongSecretError):
        unwrap_private_key(with_cost(wrapped, opslimit, memlimit), "pw", pepper=PEPPER)


@pytest.mark.parametrize(
    ("opslimit", "memlimit"),
    [
        (0, argon2id.MEMLIMIT_MIN),
        (argon2id.OPSLIMIT_SENSITIVE + 1, argon2id.MEMLIMIT_MIN),
        (2**32 - 1, argon2id.MEMLIMIT_MIN),
        (1, argon2id.MEMLIMIT_MIN - 1),
        (1, 0),
        (1, argon2id.MEMLIMIT_SENSITIVE + 1),
        (1, 2**40),
        (1, 2**64 - 1),
    ],
)
def test_crafted_cost_is_refused_without_running_argon2(
    monkeypatch: pytest.MonkeyPatch, kdf_cost: KdfCost, opslimit: int, memlimit: int
) -> None:
    wrapped = with_cost(
        wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER), opslimit, memlimit
    )

    def must_not_run(secret: str, salt: bytes, cost: KdfCost) -> bytes:
        raise AssertionError("Argon2 ran on a refused cost")

    monkeypatch.setattr(crypto.unwrapping, "derive_wrapping_key", must_not_run)
    with pytest.raises(MalformedEnvelopeError):
        unwrap_private_key(wrapped, "pw", pepper=PEPPER)


@given(data=st.data())
@KDF_SETTINGS
def test_truncated_or_extended_envelopes_are_malformed(
    kdf_cost: KdfCost, data: st.DataObject
) -> None:
    wrapped = wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER)
    cut = data.draw(st.integers(0, len(wrapped) - 1), label="cut")
    with pytest.raises(MalformedEnvelopeError):
        unwrap_private_key(wrapped[:cut], "pw", pepper=PEPPER)
    with pytest.raises(MalformedEnvelopeError):
        unwrap_private_key(wrapped + b"\x00", "pw", pepper=PEPPER)


@pytest.mark.parametrize("bad", [b"", b"US\x01" + bytes(100), b"UW\x02" + bytes(100)])
def test_other_bytes_are_malformed(bad: bytes) -> None:
    with pytest.raises(MalformedEnvelopeError):
        unwrap_private_key(bad, "pw", pepper=PEPPER)


def test_wrap_rejects_empty_secret_and_bad_key(kdf_cost: KdfCost) -> None:
    with pytest.raises(ValueError, match="empty"):
        wrap_private_key(PRIVATE_KEY, "", kdf_cost, pepper=PEPPER)
    with pytest.raises(ValueError, match="32 bytes"):
        wrap_private_key(PRIVATE_KEY[:31], "pw", kdf_cost, pepper=PEPPER)


def test_wrong_secret_message_is_the_same_as_tamper(kdf_cost: KdfCost) -> None:
    wrapped = wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER)
    tampered = wrapped[:-1] + bytes([wrapped[-1] ^ 1])
    with pytest.raises(WrongSecretError) as wrong:
        unwrap_private_key(wrapped, "not pw", pepper=PEPPER)
    with pytest.raises(WrongSecretError) as changed:
        unwrap_private_key(tampered, "pw", pepper=PEPPER)
    assert str(wrong.value) == str(changed.value)
    assert "pw" not in str(wrong.value)


def test_kdf_cost_bounds() -> None:
    assert KdfCost(argon2id.OPSLIMIT_SENSITIVE, argon2id.MEMLIMIT_SENSITIVE)
    with pytest.raises(ValueError, match="opslimit"):
        KdfCost(opslimit=0, memlimit=argon2id.MEMLIMIT_MIN)
    with pytest.raises(ValueError, match="memlimit"):
        KdfCost(opslimit=1, memlimit=argon2id.MEMLIMIT_SENSITIVE + 1)


def test_cost_presets() -> None:
    assert KdfCost(argon2id.OPSLIMIT_SENSITIVE, 128 * 1024 * 1024) == PRODUCTION_COST
    assert PRODUCTION_COST.memlimit >= 19 * 1024 * 1024
    assert KdfCost(argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN) == TEST_COST


@KDF_SETTINGS
@given(secret=secrets_, salt=st.binary(min_size=16, max_size=16))
def test_derive_wrapping_key_is_deterministic(kdf_cost: KdfCost, secret: str, salt: bytes) -> None:
    key = derive_wrapping_key(secret, salt, kdf_cost)
    assert len(key) == 32
    assert derive_wrapping_key(secret, salt, kdf_cost) == key
    other_salt = bytes([salt[0] ^ 1]) + salt[1:]
    assert derive_wrapping_key(secret, other_salt, kdf_cost) != key


def test_derive_wrapping_key_validates_input(kdf_cost: KdfCost) -> None:
    with pytest.raises(ValueError, match="salt"):
        derive_wrapping_key("pw", bytes(15), kdf_cost)
    with pytest.raises(ValueError, match="empty"):
        derive_wrapping_key("", bytes(16), kdf_cost)


def test_recovery_code_round_trip_in_canonical_form(kdf_cost: KdfCost) -> None:
    from crypto.codes import RECOVERY_CODE_LENGTH, new_recovery_code, normalise_code

    printed = new_recovery_code()
    canonical = normalise_code(printed, RECOVERY_CODE_LENGTH)
    assert canonical is not None
    wrapped = wrap_private_key(PRIVATE_KEY, canonical, kdf_cost, pepper=PEPPER)
    typed = normalise_code(printed.lower().replace("-", " "), RECOVERY_CODE_LENGTH)
    assert typed is not None
    assert unwrap_private_key(wrapped, typed, pepper=PEPPER) == PRIVATE_KEY
    with pytest.raises(CryptoError):
        unwrap_private_key(wrapped, "0" * RECOVERY_CODE_LENGTH, pepper=PEPPER)


def _wrapped_without_pepper(private_key: bytes, secret: str, cost: KdfCost) -> bytes:
    """A version-1 envelope, as the release before the pepper wrote it."""
    import nacl.secret
    import nacl.utils

    salt = nacl.utils.random(16)
    box = nacl.secret.SecretBox(derive_wrapping_key(secret, salt, cost))
    header = b"UW\x01" + cost.opslimit.to_bytes(4, "big") + cost.memlimit.to_bytes(8, "big")
    return header + salt + bytes(box.encrypt(private_key))


def test_the_pepper_is_needed_to_unwrap(kdf_cost: KdfCost) -> None:
    wrapped = wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER)
    other_pepper = bytes(reversed(PEPPER))
    with pytest.raises(WrongSecretError) as wrong_pepper:
        unwrap_private_key(wrapped, "pw", pepper=other_pepper)
    with pytest.raises(WrongSecretError) as wrong_secret:
        unwrap_private_key(wrapped, "not pw", pepper=PEPPER)
    assert str(wrong_pepper.value) == str(wrong_secret.value)


def test_the_password_alone_does_not_give_the_box_key(kdf_cost: KdfCost) -> None:
    """What a thief with a copy and the password can compute (the Argon2id
    output) is not the key of the box: the pepper is mixed in."""
    import nacl.exceptions
    import nacl.secret

    wrapped = wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=PEPPER)
    argon2_key = derive_wrapping_key("pw", wrapped[SALT], kdf_cost)
    with pytest.raises(nacl.exceptions.CryptoError):
        nacl.secret.SecretBox(argon2_key).decrypt(wrapped[SALT.stop :])


def test_a_version_1_envelope_still_opens_and_says_so(kdf_cost: KdfCost) -> None:
    old = _wrapped_without_pepper(PRIVATE_KEY, "pw", kdf_cost)
    assert wrapping_version(old) == 1
    assert unwrap_private_key(old, "pw", pepper=PEPPER) == PRIVATE_KEY
    with pytest.raises(WrongSecretError):
        unwrap_private_key(old, "not pw", pepper=PEPPER)


@pytest.mark.parametrize("pepper", [b"", bytes(31)])
def test_a_short_pepper_is_refused_at_wrap_and_unwrap(kdf_cost: KdfCost, pepper: bytes) -> None:
    with pytest.raises(ValueError, match="pepper"):
        wrap_private_key(PRIVATE_KEY, "pw", kdf_cost, pepper=pepper)
    old = _wrapped_without_pepper(PRIVATE_KEY, "pw", kdf_cost)
    with pytest.raises(ValueError, match="pepper"):
        unwrap_private_key(old, "pw", pepper=pepper)


@pytest.mark.parametrize("value", [b"", b"UW", b"US\x02" + bytes(100), b"UW\x03" + bytes(100)])
def test_wrapping_version_of_other_bytes_is_none(value: bytes) -> None:
    assert wrapping_version(value) is None
