"""What a background process needs: config, database and Redis.

The worker builds one at start; RQ forks a child per job, and a forked child
must not share the parent's database connections, so the engine is rebuilt
when the process id changes. It holds no keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from utvag.config import Config
from utvag.store.db import make_engine, make_session_factory


@dataclass
class AppContext:
    config: Config
    engine: Engine
    session_factory: sessionmaker[Session]
    redis_client: redis.Redis
    pid: int

    @classmethod
    def build(cls, config: Config, redis_client: redis.Redis) -> AppContext:
        engine = make_engine(config.database_url)
        return cls(config, engine, make_session_factory(engine), redis_client, os.getpid())

    def for_this_process(self) -> AppContext:
        if self.pid != os.getpid():
            self.engine.dispose(close=False)
            self.engine = make_engine(self.config.database_url)
            self.session_factory = make_session_factory(self.engine)
            self.pid = os.getpid()
        return self


_bound: AppContext | None = None


def bind(context: AppContext | None) -> None:
    """Make ``context`` the one RQ jobs in this process use (worker start, tests)."""
    global _bound
    _bound = context


def current() -> AppContext:
    if _bound is None:
        raise RuntimeError("no worker context is bound in this process")
    return _bound.for_this_process()
