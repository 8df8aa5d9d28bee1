"""Backup and restore of one team: its rows, sealed as they are.

A team backup is one tar file (mode 0600) holding

- ``manifest.json``: format, schema revision, time, the team's slug and
  name, how many rows of each table;
- ``rows.json``: every row of the team, table by table, parents first, found
  through the foreign keys as a removal finds them (``utvag.repo.team_rows``).
  Sealed columns stay the envelopes they are (base64): nothing is opened.
  Live console sessions are not carried: they belong to a browser's cookie
  on the old install and hold nothing the team needs;
- ``secrets/receipt-hmac.key``, as the whole-install backup carries it: without
  it the team's people could not find their contact with their receipt code.

Like the whole-install backup it leaves out the console's own secrets (the
wrapping pepper and the key store): the file plus a password opens nothing.
Their copy travels apart: ``utvag console-secrets export --team SLUG``
(the pepper and the locks of this team's keys only).

A restore loads the rows into an install at the same schema revision (an
empty database gets the schema first), every id given anew and every foreign
key mapped to it, in one transaction; it refuses a slug the install already
has, a row that clashes with one already there (a username), a copy of the
console's secrets whose pepper differs from this install's (the team's key
grants could not be opened here), and a copy that lacks a lock of the team.
A reference to a row not carried (a staff member of another team who worked
a contact handed over) is emptied; a row that cannot exist without such a
row is left out and counted.
"""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Date, DateTime, LargeBinary, Table, TypeDecorator, insert, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from utvag.console_keys import ImportedSecrets, import_secrets, key_store_path, pepper_path
from utvag.ops.backup import BackupError
from utvag.repo import audit
from utvag.repo.team_rows import TEAMS_TABLE, TeamRows, fresh_team_id, team_tables
from utvag.repo.teams import team_by_slug
from utvag.server_secrets import secrets_dir
from utvag.store.db import make_engine, make_session_factory, transaction
from utvag.store.schema import alembic_config, current_revision, upgrade_to_head

FORMAT = "utvag-team-backup-1"
RECEIPT_KEY = "receipt-hmac.key"
# Bound to a browser's cookie on the old install; nothing a team needs.
NOT_CARRIED = frozenset({"staff_sessions"})


@dataclass(frozen=True)
class TeamManifest:
    revision: str
    created_at: str
    slug: str
    name: str
    tables: dict[str, int]

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "revision": self.revision,
                "created_at": self.created_at,
                "team": {"slug": self.slug, "name": self.name},
                "tables": self.tables,
                "secrets": [RECEIPT_KEY],
            },
            indent=2,
        ).encode()


def _carried() -> list[Table]:
    return [table for table in team_tables() if table.name not in NOT_CARRIED]


def _python_type(table: Table, column: str) -> type | None:
    """What a column holds, seen through a TypeDecorator (``UTCDateTime``)."""
    column_type: Any = table.c[column].type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, LargeBinary):
        return bytes
    if isinstance(column_type, DateTime):
        return datetime
    if isinstance(column_type, Date):
        return date
    return None


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(table: Table, column: str, value: Any) -> Any:
    if value is None:
        return None
    python_type = _python_type(table, column)
    if python_type is bytes:
        return base64.b64decode(value)
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    return value


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup_team(database_url: str, data_dir: Path, slug: str, destination: Path) -> TeamManifest:
    """Write team ``slug``'s rows and the receipt key to ``destination`` (new file)."""
    revision = current_revision(database_url)
    if revision is None:
        raise BackupError("the database has no schema yet; there is nothing to back up")
    receipt_key = secrets_dir(data_dir) / RECEIPT_KEY
    if not receipt_key.is_file():
        raise BackupError(f"the data dir {data_dir} lacks {RECEIPT_KEY}: run `utvag init` first")
    if destination.exists():
        raise BackupError(f"{destination} exists already; choose a new file")
    engine = make_engine(database_url)
    try:
        # One read transaction: every table as of the same moment.
        with make_session_factory(engine)() as session, session.begin():
            team = team_by_slug(session, slug)
            if team is None:
                raise BackupError(f"no team called {slug!r}")
            rows = TeamRows(team.id)
            body: dict[str, Any] = {}
            for table in _carried():
                columns = list(table.c.keys())
                body[table.name] = {
                    "columns": columns,
                    "rows": [
                        [_encode(row[column]) for column in columns]
                        for row in session.execute(rows.select_rows(table)).mappings()
                    ],
                }
            manifest = TeamManifest(
                revision=revision,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                slug=team.slug,
                name=team.name,
                tables={name: len(table["rows"]) for name, table in body.items()},
            )
    finally:
        engine.dispose()
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as archive:
        _add_bytes(archive, "manifest.json", manifest.to_json())
        _add_bytes(archive, "rows.json", json.dumps(body).encode())
        _add_bytes(archive, f"secrets/{RECEIPT_KEY}", receipt_key.read_bytes())
    return manifest


@dataclass
class Restored:
    slug: str
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    receipt_key: str = ""  # "written", "same" or "differs"
    locks_added: int = 0


def _member(archive: tarfile.TarFile, name: str) -> bytes | None:
    try:
        member = archive.extractfile(name)
    except KeyError:
        return None
    return member.read() if member is not None else None


def _read(source: Path) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    try:
        archive = tarfile.open(source, mode="r")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot read {source}: {error}") from None
    with archive:
        manifest_bytes = _member(archive, "manifest.json")
        rows_bytes = _member(archive, "rows.json")
        receipt_key = _member(archive, f"secrets/{RECEIPT_KEY}")
    manifest = json.loads(manifest_bytes) if manifest_bytes else None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("this is not a team backup this release can read (utvag backup --team)")
    if not rows_bytes or not receipt_key:
        raise BackupError("the team backup is incomplete (rows or receipt key missing)")
    return manifest, json.loads(rows_bytes), receipt_key


def _check_revision(database_url: str, revision: str) -> bool:
    """Whether the database is empty (then it gets the schema); BackupError
    unless it is, or will be, at the backup's schema revision."""
    current = current_revision(database_url)
    target = current
    if current is None:
        target = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    if target != revision:
        raise BackupError(
            f"the team backup is at schema revision {revision}, this install at {target}: "
            "restore it into an install of the release that made it. Nothing was changed."
        )
    return current is None


def _check_console_copy(data_dir: Path, copy: ImportedSecrets | None, key_ids: list[str]) -> None:
    if copy is None:
        return
    held = pepper_path(data_dir)
    if held.exists() and held.read_bytes() != copy.pepper:
        raise BackupError(
            "this install's console wrapping secret differs from the team's copy: its key grants "
            "could not be opened here. Restore into a new install (restore first, then "
            "`utvag init`), or one that shares the console's secrets. Nothing was changed."
        )
    lacking = [key_id for key_id in key_ids if key_id not in copy.locks]
    if lacking:
        raise BackupError(
            f"the copy of the console's secrets lacks the lock of key(s) {', '.join(lacking)}: "
            "export it with `utvag console-secrets export --team SLUG`. Nothing was changed."
        )


def _load(session: Session, body: dict[str, Any], restored: Restored) -> int:
    """Insert every row with a new id; returns the new team's id."""
    new_ids: dict[str, dict[Any, Any]] = {}
    deferred: list[tuple[Table, str, Any, Any]] = []
    for table in _carried():
        carried = body.get(table.name)
        if carried is None:
            raise BackupError(f"the team backup lacks the table {table.name}")
        (primary_key,) = table.primary_key.columns
        mapped = new_ids.setdefault(table.name, {})
        kept = left = 0
        for values in carried["rows"]:
            row = {
                column: _decode(table, column, value)
                for column, value in zip(carried["columns"], values, strict=True)
                if column in table.c
            }
            old_id = row.pop(primary_key.name)
            if table.name == TEAMS_TABLE and (team_id := fresh_team_id(session)) is not None:
                row[primary_key.name] = team_id
            later: list[tuple[str, Any]] = []
            dropped = False
            for fk in table.foreign_keys:
                column, value = fk.parent.name, row.get(fk.parent.name)
                if value is None:
                    continue
                if fk.column.table is table:
                    row[column] = None  # this table's own rows: mapped once all are in
                    later.append((column, value))
                elif value in new_ids.get(fk.column.table.name, {}):
                    row[column] = new_ids[fk.column.table.name][value]
                elif fk.parent.nullable:
                    row[column] = None
                else:
                    dropped = True
            if dropped:
                left += 1
                continue
            new_id = session.execute(insert(table).values(row).returning(primary_key)).scalar_one()
            mapped[old_id] = new_id
            deferred.extend((table, column, new_id, value) for column, value in later)
            kept += 1
        restored.rows[table.name] = kept
        if left:
            restored.left_out[table.name] = left
    for table, column, new_id, old_target in deferred:
        (primary_key,) = table.primary_key.columns
        session.execute(
            update(table)
            .where(primary_key == new_id)
            .values({column: new_ids[table.name].get(old_target)})
        )
    (team_id,) = new_ids[TEAMS_TABLE].values()
    return int(team_id)


def restore_team(
    source: Path, database_url: str, data_dir: Path, console_copy: ImportedSecrets | None
) -> Restored:
    """Load a team backup into this install; BackupError (nothing changed) if it may not."""
    manifest, body, receipt_key = _read(source)
    slug = str(manifest["team"]["slug"])
    revision = str(manifest["revision"])
    teams = body.get(TEAMS_TABLE, {}).get("rows", [])
    if len(teams) != 1:
        raise BackupError("the team backup does not hold exactly one team")
    key_table = body.get("team_keys", {"columns": [], "rows": []})
    live_keys = [
        dict(zip(key_table["columns"], values, strict=True)) for values in key_table["rows"]
    ]
    key_ids = [key["key_id"] for key in live_keys if key.get("destroyed_at") is None]
    _check_console_copy(data_dir, console_copy, key_ids)
    receipt_path = secrets_dir(data_dir) / RECEIPT_KEY
    restored = Restored(slug=slug, revision=revision)
    if not receipt_path.exists():
        restored.receipt_key = "written"
    elif receipt_path.read_bytes() == receipt_key:
        restored.receipt_key = "same"
    else:
        restored.receipt_key = "differs"
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    empty = _check_revision(database_url, revision)
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        if not empty:
            with factory() as session:
                if team_by_slug(session, slug) is not None:
                    raise BackupError(
                        f"this install already has a team called {slug!r}. Nothing was changed."
                    )
        if empty:
            upgrade_to_head(database_url)
        try:
            with transaction(factory) as session:
                if team_by_slug(session, slug) is not None:
                    raise BackupError(f"this install already has a team called {slug!r}")
                team_id = _load(session, body, restored)
                audit.record(
                    session,
                    "team_restored",
                    team_id=team_id,
                    actor_name="command line",
                    details={"slug": slug, "rows": sum(restored.rows.values())},
                )
        except IntegrityError:
            raise BackupError(
                "a row of the team clashes with one already in this install (a username or a "
                "key already here). Nothing was restored."
            ) from None
    finally:
        engine.dispose()
    if restored.receipt_key == "written":
        receipt_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(receipt_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(receipt_key)
    if console_copy is not None:
        only_team = ImportedSecrets(
            pepper=console_copy.pepper,
            locks={key_id: console_copy.locks[key_id] for key_id in key_ids},
        )
        key_store_path(data_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
        restored.locks_added = import_secrets(data_dir, only_team)
    return restored
