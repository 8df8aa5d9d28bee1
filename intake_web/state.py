"""What the public app holds for its lifetime: no private key, ever."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from intake_web.proof_of_work import Difficulty
from utvag.config import Config
from utvag.server_secrets import IntakeSecrets


@dataclass(frozen=True)
class IntakeState:
    config: Config
    engine: Engine
    session_factory: sessionmaker[Session]
    redis: redis.Redis
    secrets: IntakeSecrets
    # Worked out from the hour's load, at most every 30 seconds.
    difficulty: Difficulty


def state() -> IntakeState:
    value: IntakeState = current_app.extensions["utvag"]
    return value
