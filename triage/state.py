"""What the console holds for its lifetime: a database handle and its own
secrets (the wrapping pepper and where the key store is), no team key.

Unwrapped team keys exist only per request, opened from the staff session
(see triage.keys.keyring)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from utvag.config import Config
from utvag.console_keys import ConsoleKeys


@dataclass(frozen=True)
class ConsoleState:
    config: Config
    engine: Engine
    session_factory: sessionmaker[Session]
    keys: ConsoleKeys


def state() -> ConsoleState:
    value: ConsoleState = current_app.extensions["utvag"]
    return value
