"""What every ``utvag`` command shares: the configuration, the one-line
failure, the database and the console's own secrets, each checked once."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from utvag.config import Config
from utvag.console_keys import ConsoleKeys, ConsoleKeysMissing, load_console_keys
from utvag.store.db import make_engine, make_session_factory
from utvag.store.schema import is_at_head


def config_of(ctx: click.Context) -> Config:
    config: Config = ctx.obj
    return config


def fail(reason: str) -> NoReturn:
    raise click.ClickException(reason)


def session_factory_of(config: Config) -> sessionmaker[Session]:
    url = config.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        fail("there is no database yet; run `utvag init`")
    engine = make_engine(url)
    try:
        at_head = is_at_head(engine, config.database_url)
    except (OperationalError, ProgrammingError) as error:
        fail(f"cannot reach the database: {type(error.orig).__name__}")
    if not at_head:
        fail("the database schema is not initialised or not current; run `utvag init`")
    return make_session_factory(engine)


def console_keys_of(config: Config) -> ConsoleKeys:
    try:
        return load_console_keys(config.data_dir)
    except ConsoleKeysMissing as error:
        fail(str(error))
