"""What the console holds for its lifetime: a database handle, no key.

Unwrapped team keys exist only per request, opened from the staff session
(see triage.keyring)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from utvag.config import Config


@dataclass(frozen=True)
class ConsoleState:
    config: Config
    engine: Engine
    session_factory: sessionmaker[Session]


def state() -> ConsoleState:
    value: ConsoleState = current_app.extensions["utvag"]
    return value
