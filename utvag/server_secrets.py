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
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_bytes()
        if len(value) < SECRET_BYTES:
            raise ValueError(f"{path} is shorter than {SECRET_BYTES} bytes") from None
        return value
    value = secrets.token_bytes(SECRET_BYTES)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
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
