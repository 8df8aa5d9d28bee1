"""Engine, session factory and the declarative base shared by every model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, stored naive UTC.

    SQLite has no time zones; storing naive UTC everywhere keeps both
    databases identical and comparisons correct.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# Execution option marking a connection that begins a unit of work.
UNIT_OF_WORK = "utvag_unit_of_work"


def make_engine(database_url: str) -> Engine:
    """Create the engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 15}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, say where transactions begin.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # Deleted rows are overwritten, not left in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A unit of work (``transaction()``) takes the write lock at its
            # start: one that read first and wrote later could otherwise fail
            # at once (SQLITE_BUSY) when another process wrote in between.
            # Writers queue on the busy timeout instead. A plain read session
            # stays a deferred reader (WAL): it never blocks a writer.
            immediate = connection.get_execution_options().get(UNIT_OF_WORK, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # hide_parameters: bound values never appear in an exception's text.
    return create_engine(database_url, pool_pre_ping=True, hide_parameters=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for every process. The audit trail chains the events a session
    recorded as it commits: ``utvag.repo.audit`` hooks itself onto every
    session, so this module, below it, needs no import of it."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit at the end, roll back on any error.

    On SQLite it holds the database's write lock from its first statement, so
    do not open a second one inside it in the same thread (it would wait for
    the first); a plain ``factory()`` session for reading is fine.
    """
    with factory() as session, session.begin():
        session.connection(execution_options={UNIT_OF_WORK: True})
        yield session
