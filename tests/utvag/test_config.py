"""Configuration is read once from the environment; bad values fail with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from utvag.config import ConfigError, load_config


def test_the_embedded_default_needs_nothing(tmp_path: Path) -> None:
    config = load_config({"UTVAG_DATA_DIR": str(tmp_path)})
    assert config.database_url == f"sqlite:///{tmp_path / 'utvag.sqlite3'}"
    assert config.embedded_redis
    assert config.public_url == "http://127.0.0.1:8000"
    assert config.twilio is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"UTVAG_DATABASE_URL": "mysql://x"}, "UTVAG_DATABASE_URL"),
        ({"UTVAG_REDIS_URL": "http://x"}, "UTVAG_REDIS_URL"),
        ({"UTVAG_TWILIO_ACCOUNT_SID": "AC1"}, "UTVAG_TWILIO_AUTH_TOKEN"),
        ({"UTVAG_PUBLIC_PROXY_HOPS": "many"}, "UTVAG_PUBLIC_PROXY_HOPS"),
    ],
)
def test_bad_settings_fail_in_one_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        load_config(env)
    assert "\n" not in str(raised.value)


def test_the_twilio_auth_token_never_shows_in_a_repr() -> None:
    config = load_config(
        {
            "UTVAG_TWILIO_ACCOUNT_SID": "AC123",
            "UTVAG_TWILIO_AUTH_TOKEN": "very-secret-token",
            "UTVAG_TWILIO_NUMBER": "+46101234567",
        }
    )
    assert "very-secret-token" not in repr(config)


def test_the_log_level_is_read_and_checked() -> None:
    assert load_config({}).log_level == "INFO"
    assert load_config({"UTVAG_LOG_LEVEL": "debug"}).log_level == "DEBUG"
    with pytest.raises(ConfigError, match="UTVAG_LOG_LEVEL"):
        load_config({"UTVAG_LOG_LEVEL": "loud"})


HOTLINE_ENV = {
    "UTVAG_TWILIO_ACCOUNT_SID": "AC123",
    "UTVAG_TWILIO_AUTH_TOKEN": "very-secret-token",
    "UTVAG_TWILIO_NUMBER": "+46101234567",
}


def test_the_number_that_names_nothing_is_optional_and_read_in_e164() -> None:
    without = load_config(HOTLINE_ENV).twilio
    assert without is not None
    assert without.neutral_number is None
    assert not without.is_neutral_number("+46101234567")

    twilio = load_config({**HOTLINE_ENV, "UTVAG_TWILIO_NEUTRAL_NUMBER": "+46 10 765 43 21"}).twilio
    assert twilio is not None
    assert twilio.neutral_number == "+46107654321"
    assert twilio.is_neutral_number("+46107654321")
    assert not twilio.is_neutral_number("+46101234567")


@pytest.mark.parametrize(
    ("neutral", "message"),
    [
        ("010-765 43 21", "written with \\+"),
        ("+46 12", "written with \\+"),
        ("+46 10 123 45 67", "not be the hotline's own number"),
    ],
)
def test_a_bad_number_that_names_nothing_fails_in_one_line(neutral: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config({**HOTLINE_ENV, "UTVAG_TWILIO_NEUTRAL_NUMBER": neutral})


def test_the_number_that_names_nothing_needs_the_hotline() -> None:
    with pytest.raises(ConfigError, match="needs the hotline"):
        load_config({"UTVAG_TWILIO_NEUTRAL_NUMBER": "+46107654321"})
