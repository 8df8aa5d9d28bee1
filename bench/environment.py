"""Where the bench runs: a fresh database (the embedded SQLite, or a database
of its own on the PostgreSQL server), a Redis, a team, and gunicorn servers."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyotp
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crypto.kdf import TEST_COST
from utvag.console_keys import make_console_keys
from utvag.repo.team_setup import create_team
from utvag.store.db import make_engine, make_session_factory, transaction
from utvag.store.schema import upgrade_to_head

POSTGRES_ADMIN_URL = os.environ.get(
    "UTVAG_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# The bench flushes this database: it must be one no one else uses.
REDIS_URL = os.environ.get("UTVAG_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
ADMIN_PASSWORD = "a throwaway password for measuring"  # noqa: S105 - a throwaway bench team
GUNICORN_WORKERS = "2"


@dataclass(frozen=True)
class Database:
    name: str  # "sqlite" or "postgresql"
    url: str
    redis_url: str
    data_dir: Path
    admin_totp: pyotp.TOTP

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
        env.update(
            UTVAG_DATA_DIR=str(self.data_dir),
            UTVAG_DATABASE_URL=self.url,
            UTVAG_REDIS_URL=self.redis_url,
            UTVAG_PUBLIC_PROXY_HOPS="1",
            UTVAG_LOG_LEVEL="WARNING",
            **extra,
        )
        return env


def _make_team(url: str, data_dir: Path) -> pyotp.TOTP:
    upgrade_to_head(url)
    keys, _ = make_console_keys(data_dir)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        created = create_team(
            session,
            slug="bench",
            name="Bench",
            admin_username="bench",
            admin_password=ADMIN_PASSWORD,
            hours_spec="mon-sun 00:00-23:59",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=keys,
        )
    engine.dispose()
    return pyotp.parse_uri(created.totp_uri)  # type: ignore[return-value]


@contextmanager
def database(name: str, data_dir: Path) -> Iterator[Database]:
    """A fresh database of the kind named, with the bench team in it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if name == "sqlite":
        from utvag.store.redis_conn import embedded_redis_url, start_embedded_redis

        embedded = start_embedded_redis(data_dir)
        url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
        try:
            yield Database(
                name, url, embedded_redis_url(embedded), data_dir, _make_team(url, data_dir)
            )
        finally:
            embedded.shutdown()
        return
    server = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    database_name = f"utvag_bench_{secrets.token_hex(4)}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database_name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=database_name).render_as_string(False)
    redis.Redis.from_url(REDIS_URL).flushdb()
    try:
        yield Database(name, url, REDIS_URL, data_dir, _make_team(url, data_dir))
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)'))
        server.dispose()
        redis.Redis.from_url(REDIS_URL).flushdb()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: str = GUNICORN_WORKERS) -> Iterator[int]:
    """Serve ``app`` (module:factory()) under gunicorn as production does."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:utvag.ops.gunicorn_conf",
        "--workers",
        workers,
        "--bind",
        f"127.0.0.1:{port}",
        app,
    ]
    process = subprocess.Popen(argv, env=env)  # noqa: S603
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on {port} exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn on {port} did not come up")
