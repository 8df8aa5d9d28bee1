"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from utvag.store.db import Base
from utvag.store.schema import is_at_head, upgrade_to_head


def test_alembic_head_matches_the_models(engine: Engine, database_url: str) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert is_at_head(engine, database_url)


def test_init_is_safe_to_run_again(engine: Engine, database_url: str) -> None:
    upgrade_to_head(database_url)
    upgrade_to_head(database_url)
    assert is_at_head(engine, database_url)
