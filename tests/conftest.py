"""Shared fixtures: real databases (SQLite and PostgreSQL), a real Redis server,
both Flask apps, teams and logged-in staff.

PostgreSQL and Redis addresses come from ``UTVAG_TEST_DATABASE_URL`` and
``UTVAG_TEST_REDIS_URL`` (the Makefile sets the local defaults). A fresh
PostgreSQL database is created for each run and dropped afterwards. If a
server is configured but cannot be reached the run fails loudly: a suite that
silently skipped its PostgreSQL half would be a lie.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from support import TeamFixture, create_vagvalet, log_in
from twilio_fake import FakeTwilio, FakeTwilioServer

from crypto.kdf import TEST_COST
from utvag.config import Config
from utvag.console_keys import ConsoleKeys, make_console_keys
from utvag.jobs import context as worker_context
from utvag.jobs.context import AppContext
from utvag.store.db import Base, make_engine, make_session_factory
from utvag.store.schema import upgrade_to_head

DEFAULT_TEST_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/9"


def _postgres_admin_url() -> str | None:
    value = os.environ.get("UTVAG_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL).strip()
    return value or None


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A database of its own for this run, on the configured server."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("UTVAG_TEST_DATABASE_URL is empty: PostgreSQL tests switched off")
    admin_engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"utvag_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin_engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"PostgreSQL at {admin_url} is not reachable: {error}", pytrace=False)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    yield url
    with admin_engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database of the same kind, with nothing in it (not even a schema)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty' / 'utvag.sqlite3'}"
        return
    admin_engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = f"utvag_empty_{os.getpid()}_{secrets.token_hex(4)}"
    with admin_engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin_engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'utvag.sqlite3'}"
    upgrade_to_head(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Every test that touches the database runs once on each engine."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    _empty_all_tables(engine)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - names from metadata


def _this_workers_redis_url(url: str) -> str:
    """``make test`` runs the suite in two processes (pytest-xdist): each
    flushes its Redis database around every test, so each gets its own,
    the configured number plus the worker's (gw0: +0, gw1: +1)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    offset = int(worker.removeprefix("gw") or 0)
    base, _, number = url.rpartition("/")
    if not offset or not number.isdigit():
        return url
    return f"{base}/{int(number) + offset}"


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = _this_workers_redis_url(os.environ.get("UTVAG_TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {url} is not reachable: {error}", pytrace=False)
    return url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def config(tmp_path: Path, database_url: str, redis_url: str, engine: Engine) -> Config:
    return Config(
        data_dir=tmp_path / "var",
        database_url=database_url,
        redis_url=redis_url,
        public_url="http://127.0.0.1:8000",
        twilio=None,
        kdf_cost=TEST_COST,
        testing=True,
    )


@pytest.fixture
def console_keys(config: Config) -> ConsoleKeys:
    """The console's own secrets in the test's data dir, made as `utvag init` makes them."""
    keys, _ = make_console_keys(config.data_dir)
    return keys


@pytest.fixture
def session_factory(engine: Engine):  # type: ignore[no-untyped-def]
    return make_session_factory(engine)


@pytest.fixture
def app_context(config: Config, redis_client: redis.Redis) -> Iterator[AppContext]:
    """The worker's context, bound as the worker binds it."""
    ctx = AppContext.build(config, redis_client)
    worker_context.bind(ctx)
    yield ctx
    worker_context.bind(None)
    ctx.engine.dispose()


@pytest.fixture
def intake_app(config: Config, redis_client: redis.Redis) -> Iterator[Flask]:
    from intake_web import create_app

    app = create_app(config, redis_client=redis_client)
    yield app
    app.extensions["utvag"].engine.dispose()


@pytest.fixture
def client(intake_app: Flask) -> FlaskClient:
    return intake_app.test_client()


@pytest.fixture
def console_app(
    config: Config, redis_client: redis.Redis, console_keys: ConsoleKeys
) -> Iterator[Flask]:
    from triage import create_app

    app = create_app(config, redis_client=redis_client)
    yield app
    app.extensions["utvag"].engine.dispose()


@pytest.fixture
def console_client(console_app: Flask) -> FlaskClient:
    return console_app.test_client()


@pytest.fixture
def team(session_factory, console_keys: ConsoleKeys) -> TeamFixture:  # type: ignore[no-untyped-def]
    return create_vagvalet(session_factory, console_keys)


@pytest.fixture
def logged_in_staff(console_client: FlaskClient, team: TeamFixture) -> FlaskClient:
    response = log_in(console_client, team)
    assert response.status_code == 302, response.get_data(as_text=True)
    return console_client


@pytest.fixture
def during_office_hours(time_machine) -> None:  # type: ignore[no-untyped-def]
    """A Tuesday morning in Vägvalet's hours, so nothing waits for the office to open."""
    time_machine.move_to("2026-11-24T10:00:00+01:00", tick=True)


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilio]:
    """A local fake of Twilio's REST API (tests/twilio_fake.py)."""
    with FakeTwilioServer() as fake:
        yield fake
