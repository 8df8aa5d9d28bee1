"""Server secrets that must live outside the database.

The receipt HMAC key is what makes a copy of the database useless for finding
a contact by receipt code; the session keys sign each app's cookies. They are
generated once into ``<data dir>/secrets/`` (mode 0600) and read at start.
In production the directory is provisioned by deploy/ and readable only by the
service user that needs each file.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SECRET_BYTES = 32


@dataclass(frozen=True)
class IntakeSecrets:
    receipt_key: bytes = field(repr=False)
    session_key: bytes = field(repr=False)
    # Signs the proof-of-work challenges the public forms hand out.
    proof_key: bytes = field(repr=False)


def _read_or_create(path: Path) -> bytes:
    """The secret in ``path``, made on first use. Several processes start at
    once (gunicorn's workers, the console beside the public app): the new
    value is written whole to a file of its own and linked into place, which
    fails if another process got there first, so no process ever reads a
    file still being written; the loser reads the winner's value."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        value = secrets.token_bytes(SECRET_BYTES)
        fd, unlinked = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(value)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(unlinked, path)
                return value
            except FileExistsError:
                pass  # another process made it first: its value is the one
        finally:
            os.unlink(unlinked)
    value = path.read_bytes()
    if len(value) < SECRET_BYTES:
        raise ValueError(f"{path} is shorter than {SECRET_BYTES} bytes")
    return value


def secrets_dir(data_dir: Path) -> Path:
    return data_dir / "secrets"


def intake_secrets(data_dir: Path) -> IntakeSecrets:
    directory = secrets_dir(data_dir)
    return IntakeSecrets(
        receipt_key=_read_or_create(directory / "receipt-hmac.key"),
        session_key=_read_or_create(directory / "intake-session.key"),
        proof_key=_read_or_create(directory / "intake-proof.key"),
    )


def console_session_key(data_dir: Path) -> bytes:
    return _read_or_create(secrets_dir(data_dir) / "console-session.key")
