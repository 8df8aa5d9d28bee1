"""Backup and restore: the database and the secrets directory, together.

A backup is one tar file (mode 0600) holding

- ``manifest.json``: format, database kind, schema revision, time, the
  secret files it carries;
- ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``, no owners or
  grants: re-apply ``deploy/postgresql/roles.sql`` after a restore) or
  ``database.sqlite3`` (SQLite, a consistent copy through SQLite's backup API);
- ``secrets/``: the receipt HMAC key and the session and proof keys.

What it holds is ciphertext plus the clear queue fields (README: "What is
kept in clear"). With the secrets, it also lets a receipt code find its
contact; it never holds a key that opens anything sealed. It deliberately
leaves out the console's own secrets (``utvag.console_keys``): the wrapping
pepper and the key store. So the backup plus a staff password, or plus the
recovery code, still opens nothing; those secrets have a copy of their own,
kept apart (``utvag console-secrets export``), and a restore needs it too.
Keep the backup where the database itself may be kept.

A restore refuses, before changing anything: a database that already holds
a schema or rows, a data dir that already holds the backup's secrets (the
console's own may be put back first), a backup without
all its secrets, a backup made by a newer schema, and a backup of the other
database kind.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from utvag.server_secrets import secrets_dir
from utvag.store.schema import alembic_config, current_revision

FORMAT = "utvag-backup-1"
# Never the console's wrapping secret (console-wrap.key) nor its key store.
SECRET_FILES = ("receipt-hmac.key", "intake-session.key", "intake-proof.key", "console-session.key")


class BackupError(RuntimeError):
    """Why a backup or restore cannot go ahead; nothing was changed."""


@dataclass(frozen=True)
class Manifest:
    database: str  # "postgresql" or "sqlite"
    revision: str
    created_at: str
    secrets: tuple[str, ...]

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "database": self.database,
                "revision": self.revision,
                "created_at": self.created_at,
                "secrets": list(self.secrets),
            },
            indent=2,
        ).encode()


def _kind(database_url: str) -> str:
    backend = make_url(database_url).get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise BackupError(f"cannot back up a {backend} database")
    return backend


def _libpq_url(database_url: str) -> str:
    """The URL pg_dump and pg_restore understand (no SQLAlchemy driver)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup(database_url: str, data_dir: Path, destination: Path) -> Manifest:
    """Write the backup to ``destination`` (which must not exist yet)."""
    kind = _kind(database_url)
    revision = current_revision(database_url)
    if revision is None:
        raise BackupError("the database has no schema yet; there is nothing to back up")
    directory = secrets_dir(data_dir)
    missing = [name for name in SECRET_FILES if not (directory / name).is_file()]
    if missing:
        raise BackupError(
            f"the data dir {data_dir} lacks {', '.join(missing)}: run `utvag init` there first"
        )
    if destination.exists():
        raise BackupError(f"{destination} exists already; choose a new file")
    manifest = Manifest(
        database=kind,
        revision=revision,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        secrets=SECRET_FILES,
    )
    with tempfile.TemporaryDirectory(prefix="utvag-backup-") as work:
        dump = Path(work) / "dump"
        if kind == "postgresql":
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={dump}"]
                + [f"--dbname={_libpq_url(database_url)}"]
            )
            dump_name = "database.pgdump"
        else:
            source = sqlite3.connect(_sqlite_path(database_url))
            target = sqlite3.connect(dump)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
            dump_name = "database.sqlite3"
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as archive:
            _add_bytes(archive, "manifest.json", manifest.to_json())
            _add_bytes(archive, dump_name, dump.read_bytes())
            for name in SECRET_FILES:
                _add_bytes(archive, f"secrets/{name}", (directory / name).read_bytes())
    return manifest


def _run(command: list[str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    done = subprocess.run(  # noqa: S603  # nosec B603
        [tool, *command[1:]], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        # pg_dump's own words: they name the database, never its contents.
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def _read_manifest(archive: tarfile.TarFile) -> dict[str, object]:
    try:
        member = archive.extractfile("manifest.json")
    except KeyError:
        raise BackupError("this is not an Utväg backup (no manifest.json)") from None
    if member is None:
        raise BackupError("this is not an Utväg backup (no manifest.json)")
    manifest = json.loads(member.read())
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("this is not an Utväg backup this release can read")
    return manifest


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes | None:
    try:
        member = archive.extractfile(name)
    except KeyError:
        return None
    return member.read() if member is not None else None


def _database_is_empty(database_url: str) -> bool:
    if make_url(database_url).get_backend_name() == "sqlite":
        path = _sqlite_path(database_url)
        if not path.exists() or path.stat().st_size == 0:
            return True
    engine = create_engine(database_url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(source: Path, database_url: str, data_dir: Path) -> Manifest:
    """Restore ``source`` into an empty database and a data dir without secrets."""
    kind = _kind(database_url)
    try:
        archive = tarfile.open(source, mode="r")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot read {source}: {error}") from None
    with archive:
        manifest = _read_manifest(archive)
        if manifest.get("database") != kind:
            raise BackupError(
                f"this is a backup of a {manifest.get('database')} database; "
                f"it cannot be restored into {kind}"
            )
        known = {
            script.revision
            for script in ScriptDirectory.from_config(alembic_config(database_url)).walk_revisions()
        }
        if manifest.get("revision") not in known:
            raise BackupError(
                f"the backup is at schema revision {manifest.get('revision')}, made by a newer "
                "release: install that release to restore it"
            )
        secrets = {name: _member_bytes(archive, f"secrets/{name}") for name in SECRET_FILES}
        lacking = [name for name, value in secrets.items() if not value]
        if lacking:
            raise BackupError(
                f"the backup lacks its secrets ({', '.join(lacking)}): without the receipt key "
                "no one could find their contact again. Nothing was restored."
            )
        dump_name = "database.pgdump" if kind == "postgresql" else "database.sqlite3"
        dump = _member_bytes(archive, dump_name)
        if not dump:
            raise BackupError(f"the backup lacks {dump_name}")
    if not _database_is_empty(database_url):
        raise BackupError(
            "the database already holds tables: restore only into a new, empty database. "
            "Nothing was changed."
        )
    directory = secrets_dir(data_dir)
    if any((directory / name).exists() for name in SECRET_FILES):
        raise BackupError(
            f"{directory} already holds secrets: restore into a new data dir. Nothing was changed."
        )

    if kind == "postgresql":
        with tempfile.TemporaryDirectory(prefix="utvag-restore-") as work:
            dump_path = Path(work) / dump_name
            dump_path.write_bytes(dump)
            _run(
                ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
                + [f"--dbname={_libpq_url(database_url)}", str(dump_path)]
            )
    else:
        path = _sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(dump)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, value in secrets.items():
        fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(value or b"")
    return Manifest(
        database=kind,
        revision=str(manifest["revision"]),
        created_at=str(manifest.get("created_at")),
        secrets=SECRET_FILES,
    )
