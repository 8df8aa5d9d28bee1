"""What the public app holds for its lifetime: no private key, ever."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from intake_web.backlog import Backlog
from intake_web.proof_of_work import Difficulty
from intake_web.team_facts import TeamFactsCache
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
    # The active key and the calendar, for a few seconds at a time.
    team_facts: TeamFactsCache
    # Whether the unverified list outgrew eviction, for a few seconds at a time.
    backlog: Backlog


def state() -> IntakeState:
    value: IntakeState = current_app.extensions["utvag"]
    return value
