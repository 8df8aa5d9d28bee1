"""``utvag keys`` and ``utvag console-secrets``: the team keys and the
console's own secrets, from the command line of the machine the console
runs on (its data dir holds the key store).

- ``keys list SLUG``: every key, what is still sealed to it, its lock.
- ``keys destroy SLUG KEY_ID``: crypto-shred a retired key nothing needs
  (the same checks and audit row as the console's confirmation page).
- ``console-secrets export FILE``: the pepper and every lock as short text
  to print or put on a medium in the safe, apart from the backups.
- ``console-secrets import FILE``: put them back (after a restore, or on a
  new machine).
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from sqlalchemy import select

from utvag.config import Config
from utvag.console_keys import (
    ConsoleKeysMissing,
    export_text,
    import_secrets,
    load_console_keys,
    parse_export,
)
from utvag.ops.cli_support import config_of, console_keys_of, fail, session_factory_of
from utvag.repo import audit
from utvag.repo.key_custody import missing_locks
from utvag.repo.key_destruction import (
    DestructionProblem,
    DestructionRefused,
    destroy_team_key,
    still_sealed_to,
    team_key_states,
)
from utvag.repo.teams import team_by_slug
from utvag.store.db import make_engine, make_session_factory, transaction
from utvag.store.models import TeamKey

CLI_ACTOR = "command line"
REFUSED = {
    DestructionProblem.ACTIVE_KEY: "it is the key in use: rotate the team key first (console)",
    DestructionProblem.ALREADY_DESTROYED: "it is already destroyed",
    DestructionProblem.STILL_SEALED: (
        "something is still sealed to it: re-seal older contacts first (console)"
    ),
}


@click.group("keys")
def keys_group() -> None:
    """Team keys: list them, destroy a retired one."""


@keys_group.command("list")
@click.argument("slug")
@click.pass_context
def keys_list(ctx: click.Context, slug: str) -> None:
    """Every key of the team: state, what is still sealed to it, its lock."""
    config = config_of(ctx)
    keys = console_keys_of(config)
    with session_factory_of(config)() as session:
        team = team_by_slug(session, slug)
        if team is None:
            fail(f"no team called {slug!r}")
        for state in team_key_states(session, team.id, keys):
            key = state.key
            if key.destroyed_at is not None:
                where = f"destroyed {key.destroyed_at.isoformat(timespec='seconds')}"
            elif key.retired_at is not None:
                where = f"retired, {state.still_sealed} item(s) still sealed to it"
            else:
                where = f"in use, {state.still_sealed} item(s) sealed to it"
            lock = "" if key.destroyed_at or state.lock_present else "; ITS LOCK IS MISSING"
            created = key.created_at.isoformat(timespec="seconds")
            click.echo(f"{key.key_id}  created {created}  {where}{lock}")


@keys_group.command("destroy")
@click.argument("slug")
@click.argument("key_id")
@click.option("--yes", is_flag=True, help="Do not ask; destroy.")
@click.pass_context
def keys_destroy(ctx: click.Context, slug: str, key_id: str, yes: bool) -> None:
    """Destroy a retired key to which nothing is sealed any more (cannot be undone)."""
    config = config_of(ctx)
    keys = console_keys_of(config)
    factory = session_factory_of(config)
    with factory() as session:
        team = team_by_slug(session, slug)
        if team is None:
            fail(f"no team called {slug!r}")
    if not yes:
        click.confirm(
            f"Destroy team key {key_id}? Nothing sealed to it can be opened again, not even from"
            " an older backup; every session of the team ends",
            abort=True,
        )
    try:
        with transaction(factory) as session:
            team = team_by_slug(session, slug)
            team_key = session.scalar(select(TeamKey).where(TeamKey.key_id == key_id))
            if team is None or team_key is None or team_key.team_id != team.id:
                fail(f"team {slug!r} has no key {key_id!r}")
            done = destroy_team_key(session, team, team_key, keys)
            audit.record(
                session,
                "key_destroyed",
                team_id=team.id,
                actor_name=CLI_ACTOR,
                details={
                    "key_id": done.team_key_id,
                    "grants": done.grants_deleted,
                    "sessions": done.sessions_ended,
                },
            )
    except DestructionRefused as refused:
        with factory() as session:
            counts = still_sealed_to(session, [key_id])
        left = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
        fail(
            f"key {key_id} was not destroyed: {REFUSED[refused.problem]}"
            + (f" ({left})" if left else "")
        )
    click.echo(
        f"destroyed team key {key_id}: {done.grants_deleted} grant(s) and its lock deleted, "
        f"{done.sessions_ended} session(s) ended. Now replace the copy of the console's secrets "
        "kept apart (utvag console-secrets export FILE) and destroy the old copy: it still "
        "holds this key's lock."
    )


@click.group("console-secrets")
def console_secrets_group() -> None:
    """The console's own secrets (not in `utvag backup`): copy them apart, put them back."""


@console_secrets_group.command("export")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--team",
    "team_slug",
    default=None,
    help="Only this team's key locks (with the pepper), to go with `utvag backup --team`.",
)
@click.pass_context
def secrets_export(ctx: click.Context, destination: Path, team_slug: str | None) -> None:
    """Write the wrapping secret and every key lock to FILE (mode 0600), as printable text."""
    config = config_of(ctx)
    keys = console_keys_of(config)
    factory = session_factory_of(config)
    only: set[str] | None = None
    if team_slug is not None:
        with factory() as session:
            found = team_by_slug(session, team_slug)
            if found is None:
                fail(f"no team called {team_slug!r}")
            only = set(session.scalars(select(TeamKey.key_id).where(TeamKey.team_id == found.id)))
    try:
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fail(f"{destination} exists already; choose a new file")
    with os.fdopen(fd, "w") as handle:
        handle.write(export_text(keys, only=only))
    held = keys.lock_ids() if only is None else keys.lock_ids() & only
    with transaction(factory) as session:
        by_team: dict[int, list[str]] = {}
        for team_key in session.scalars(select(TeamKey).where(TeamKey.destroyed_at.is_(None))):
            if team_key.key_id in held:
                by_team.setdefault(team_key.team_id, []).append(team_key.key_id)
        for team_id, key_ids in by_team.items():
            audit.record(
                session,
                "console_secrets_exported",
                team_id=team_id,
                actor_name=CLI_ACTOR,
                details={"key_ids": sorted(key_ids)},
            )
    click.echo(
        f"wrote the console's secrets ({len(held)} key lock(s)) to {destination}. Keep it apart"
        " from the database backups (printed, or on a medium in the safe with the recovery"
        " code), replace it after every key change and destroy the old copy. Delete this file"
        " from the machine once it is copied."
    )


@console_secrets_group.command("import")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def secrets_import(ctx: click.Context, source: Path) -> None:
    """Put back the console's secrets from a copy made by `export`."""
    config = config_of(ctx)
    import_console_copy(config, source.read_text())
    warn_about_custody(config)


def import_console_copy(config: Config, text: str) -> None:
    try:
        added = import_secrets(config.data_dir, parse_export(text))
    except ValueError as error:
        fail(f"the console's secrets were not imported: {error}")
    click.echo(f"imported the console's wrapping secret and {added} key lock(s)")


def warn_about_custody(config: Config) -> None:
    """Say loudly what the console's secrets lack for this database."""
    try:
        keys = load_console_keys(config.data_dir)
    except ConsoleKeysMissing:
        keys = None
    engine = make_engine(config.database_url)
    try:
        with make_session_factory(engine)() as session:
            missing = missing_locks(session, keys)
    finally:
        engine.dispose()
    if keys is None:
        click.echo(
            "WARNING: the console's wrapping secret is not in place, and the backup does not hold"
            " it: no one can log in until you put back the copy kept apart"
            " (`utvag console-secrets import FILE`). Without it everything sealed is lost.",
            err=True,
        )
    for team_key_id in missing:
        click.echo(
            f"WARNING: the console's key store lacks the lock of team key {team_key_id}: what was"
            " sealed to it cannot be opened until you put back the copy"
            " (`utvag console-secrets import FILE`)",
            err=True,
        )
