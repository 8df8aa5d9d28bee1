"""Migration 0012 (the agreements' clocks): a team made before it gets the
clocks of the preset its checklist shows, and the downgrade takes it all
back out, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from utvag.store.schema import alembic_config


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clocks.sqlite3'}"
        return
    admin_url = os.environ.get(
        "UTVAG_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ).strip()
    if not admin_url:
        pytest.skip("UTVAG_TEST_DATABASE_URL is empty: PostgreSQL tests switched off")
    name = f"utvag_clocks_{secrets.token_hex(4)}"
    server = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _team(connection, slug: str, first_criterion: str) -> None:  # type: ignore[no-untyped-def]
    connection.execute(
        text(
            "INSERT INTO teams (slug, name, hours_spec, timezone, created_at) "
            "VALUES (:slug, :slug, 'mon-fri 08:00-16:00', 'Europe/Stockholm', :at)"
        ),
        {"slug": slug, "at": "2026-11-01 10:00:00"},
    )
    team_id = connection.execute(text("SELECT id FROM teams WHERE slug = :s"), {"s": slug}).one()[0]
    connection.execute(
        text(
            "INSERT INTO checklist_items (team_id, position, label, active) VALUES (:t, 0, :l, :a)"
        ),
        {"t": team_id, "l": first_criterion, "a": True},
    )


def test_teams_made_before_get_their_presets_clocks_and_the_downgrade_removes_them(
    empty_database_url: str,
) -> None:
    from alembic import command

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0010")
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        _team(connection, "vagvalet", "Är motiverad")
        _team(connection, "goteborg", "Är över 18 år")
        _team(connection, "malmo", "Lever i en kriminell kontext")

    command.upgrade(config, "0012")
    with engine.connect() as connection:
        clocks = {
            slug: (min_days, max_days, check_days, bool(adults))
            for slug, min_days, max_days, check_days, adults in connection.execute(
                text(
                    "SELECT slug, mapping_min_days, mapping_max_days, register_check_days,"
                    " adults_only FROM teams"
                )
            )
        }
    assert clocks == {
        "vagvalet": (14, 28, 90, False),
        "goteborg": (14, 28, 90, True),
        "malmo": (14, 28, 30, False),
    }
    assert "case_clock_exceptions" in inspect(engine).get_table_names()

    command.downgrade(config, "0010")
    engine.dispose()
    engine = create_engine(empty_database_url)
    assert "case_clock_exceptions" not in inspect(engine).get_table_names()
    assert "adults_only" not in {column["name"] for column in inspect(engine).get_columns("teams")}
    engine.dispose()
