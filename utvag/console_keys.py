"""The console's own secrets: kept outside the database and outside its backups.

Two things, both only for the console (and for its owner at the command line):

- the **wrapping pepper**, ``<data dir>/secrets/console-wrap.key``: mixed
  into every wrap of a member's key, the recovery key and an invitation's
  key (``crypto.wrapping``). A copy of the database plus a password opens
  nothing without it.
- the **key store**, ``<data dir>/console-keys/``: one lock secret per team
  key (``team-key-<key id>.lock``). Every stored copy of that team's private
  key is locked under it (``crypto.key_locks``). Destroying a key deletes its
  lock file, and with it every copy, in this database and in every older
  backup of it.

Neither is in ``utvag backup``'s file: the backup alone must not be enough.
So they need a copy of their own, kept apart (``utvag console-secrets
export``, a short text that can be printed and kept in the safe with the
recovery code). Without them every sealed thing is lost: that copy matters
as much as the database backups, and must be replaced after every key change.

Nothing here holds a key in a global: ``ConsoleKeys`` is built at start and
passed in, like the configuration.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from utvag.server_secrets import SECRET_BYTES, secrets_dir

WRAP_PEPPER_FILE = "console-wrap.key"
KEY_STORE_DIR = "console-keys"
_LOCK_FILE = re.compile(r"^team-key-([0-9a-f]{16})\.lock$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
LOCK_BYTES = 32
EXPORT_HEADER = "Utväg console secrets, format 1"


class ConsoleKeysMissing(RuntimeError):
    """The console's wrapping pepper is not where it must be; one line for stderr."""


@dataclass(frozen=True)
class ConsoleKeys:
    """The wrapping pepper (in memory) and where the key store lives."""

    wrap_pepper: bytes = field(repr=False)
    key_store: Path

    def lock_secret(self, team_key_id: str) -> bytes | None:
        """The lock secret of one team key, or None if the store has none."""
        path = self._lock_path(team_key_id)
        try:
            value = path.read_bytes()
        except FileNotFoundError:
            return None
        if len(value) != LOCK_BYTES:
            raise ValueError(f"{path} is not a lock secret ({len(value)} bytes)")
        return value

    def new_lock_secret(self, team_key_id: str) -> bytes:
        """Make the lock secret of a new team key; refuses to replace one."""
        value = secrets.token_bytes(LOCK_BYTES)
        _write_new(self._lock_path(team_key_id), value)
        return value

    def destroy_lock(self, team_key_id: str) -> bool:
        """Delete a team key's lock secret; True if there was one.

        The file is overwritten with zeros and synced before it is unlinked
        and the directory synced, so the secret does not linger in the file's
        old blocks on an ordinary file system. A journaling or copy-on-write
        file system, an SSD's wear levelling or a snapshot may still keep old
        blocks: that is why the key store belongs on storage that is not
        snapshotted, and why the out-of-band copy is replaced after a
        destruction (deploy/README.md).
        """
        path = self._lock_path(team_key_id)
        try:
            fd = os.open(path, os.O_WRONLY)
        except FileNotFoundError:
            return False
        with os.fdopen(fd, "wb") as handle:
            handle.write(bytes(LOCK_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        _sync_directory(path.parent)
        return True

    def put_back_lock(self, team_key_id: str, value: bytes) -> None:
        """Write back a lock taken by a removal whose transaction then failed
        (``utvag.repo.team_removal``); refuses to replace one."""
        if len(value) != LOCK_BYTES:
            raise ValueError("a lock secret has the wrong length")
        self.key_store.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_new(self._lock_path(team_key_id), value)

    def lock_ids(self) -> set[str]:
        """The team key ids the store holds a lock secret for."""
        if not self.key_store.is_dir():
            return set()
        return {
            found.group(1)
            for path in self.key_store.iterdir()
            if (found := _LOCK_FILE.match(path.name)) is not None
        }

    def _lock_path(self, team_key_id: str) -> Path:
        if not _KEY_ID.match(team_key_id):
            raise ValueError("a team key id is 16 lower-case hex characters")
        return self.key_store / f"team-key-{team_key_id}.lock"


def pepper_path(data_dir: Path) -> Path:
    return secrets_dir(data_dir) / WRAP_PEPPER_FILE


def key_store_path(data_dir: Path) -> Path:
    return data_dir / KEY_STORE_DIR


def load_console_keys(data_dir: Path) -> ConsoleKeys:
    """The console's secrets as they are; ConsoleKeysMissing if the pepper is not there.

    Never makes a pepper: a console that made a fresh one after a restore
    would lock every member out without a word. Only ``utvag init`` (on a
    database that needs none yet) and ``utvag console-secrets import`` put
    one in place.
    """
    path = pepper_path(data_dir)
    try:
        pepper = path.read_bytes()
    except FileNotFoundError:
        raise ConsoleKeysMissing(
            f"the console's wrapping secret {path} is missing: put back the copy kept apart "
            "from the backups (`utvag console-secrets import FILE`), or run `utvag init` on "
            "a new installation"
        ) from None
    if len(pepper) < SECRET_BYTES:
        raise ConsoleKeysMissing(f"{path} is shorter than {SECRET_BYTES} bytes")
    return ConsoleKeys(wrap_pepper=pepper, key_store=key_store_path(data_dir))


def make_console_keys(data_dir: Path) -> tuple[ConsoleKeys, bool]:
    """The console's secrets, making the pepper and the key store if absent.

    For ``utvag init`` and test fixtures only (the caller decides whether a
    fresh pepper is safe: see ``utvag.ops.cli.init``). Returns the keys and
    whether a pepper was made now.
    """
    store = key_store_path(data_dir)
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = pepper_path(data_dir)
    made = False
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_new(path, secrets.token_bytes(SECRET_BYTES))
        made = True
    return load_console_keys(data_dir), made


def export_text(keys: ConsoleKeys, only: set[str] | None = None) -> str:
    """Everything the console holds outside the database, as short printable text.

    One line per secret in hex, and a check line so a copy typed back from
    paper is known to be whole before it is used.
    """
    lines = [f"wrap-pepper {keys.wrap_pepper.hex()}"]
    for team_key_id in sorted(keys.lock_ids() if only is None else keys.lock_ids() & only):
        secret = keys.lock_secret(team_key_id)
        if secret is not None:
            lines.append(f"team-key {team_key_id} {secret.hex()}")
    body = "\n".join(lines)
    return f"{EXPORT_HEADER}\n{body}\ncheck {_check(body)}\n"


@dataclass(frozen=True)
class ImportedSecrets:
    pepper: bytes = field(repr=False)
    locks: dict[str, bytes] = field(repr=False)


def parse_export(text: str) -> ImportedSecrets:
    """The secrets in an export; ValueError (one line) if it is not whole."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 3 or lines[0] != EXPORT_HEADER or not lines[-1].startswith("check "):
        raise ValueError("this is not a copy of the console's secrets made by `utvag`")
    body = "\n".join(lines[1:-1])
    if lines[-1].removeprefix("check ") != _check(body):
        raise ValueError("the copy does not match its check line: a character is wrong")
    pepper = b""
    locks: dict[str, bytes] = {}
    for line in lines[1:-1]:
        parts = line.split()
        if parts[0] == "wrap-pepper" and len(parts) == 2:
            pepper = bytes.fromhex(parts[1])
        elif parts[0] == "team-key" and len(parts) == 3 and _KEY_ID.match(parts[1]):
            locks[parts[1]] = bytes.fromhex(parts[2])
        else:
            raise ValueError(f"unreadable line in the copy: {parts[0]!r}")
    if len(pepper) < SECRET_BYTES or any(len(lock) != LOCK_BYTES for lock in locks.values()):
        raise ValueError("a secret in the copy has the wrong length")
    return ImportedSecrets(pepper=pepper, locks=locks)


def import_secrets(data_dir: Path, imported: ImportedSecrets) -> int:
    """Put the secrets of an export in place; returns how many locks were added.

    Refuses (ValueError, nothing changed) a data dir whose pepper or locks
    differ from the copy: two different secrets for one thing cannot both be
    right, and overwriting either could lose everything sealed under it.
    """
    store = key_store_path(data_dir)
    existing_pepper = pepper_path(data_dir)
    if existing_pepper.exists() and existing_pepper.read_bytes() != imported.pepper:
        raise ValueError(f"{existing_pepper} holds another wrapping secret; nothing was changed")
    current = ConsoleKeys(wrap_pepper=imported.pepper, key_store=store)
    for team_key_id, lock in imported.locks.items():
        held = current.lock_secret(team_key_id)
        if held is not None and held != lock:
            raise ValueError(f"the key store holds another lock for key {team_key_id}")
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not existing_pepper.exists():
        existing_pepper.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_new(existing_pepper, imported.pepper)
    added = 0
    for team_key_id, lock in imported.locks.items():
        if current.lock_secret(team_key_id) is None:
            _write_new(current._lock_path(team_key_id), lock)
            added += 1
    return added


def _check(body: str) -> str:
    return hashlib.blake2b(body.encode(), digest_size=4).hexdigest()


def _write_new(path: Path, value: bytes) -> None:
    """Write a new secret file, mode 0600, never over an existing one.

    Run by root (the owner at the command line), the file is given to whoever
    owns its directory, so the console's service user can read what the
    command line made (deploy/README.md: the directories are the services').
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        owner = path.parent.stat()
        os.chown(path, owner.st_uid, owner.st_gid)
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
