"""Staff sessions and the team keys they carry.

At login the member's wrapped team keys are unwrapped with their password and
immediately re-sealed under a key derived from a fresh random session token.
The token goes only into the member's (signed, HttpOnly) cookie; the database
keeps its hash and the sealed keys. So the unwrapped keys are never in a
cookie in clear and never on disk in clear, and a copy of the database alone
opens nothing. Logout and expiry delete the row, and with it the keys.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import nacl.exceptions
import nacl.secret
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crypto.errors import WrongSecretError
from crypto.unwrapping import unwrap_private_key
from utvag.db import utcnow
from utvag.models import KeyWrap, StaffMember, StaffSession, TeamKey

TOKEN_BYTES = 32
_SESSION_KEY_PERSON = b"utvag-session"


@dataclass(frozen=True)
class OpenSession:
    member: StaffMember
    record: StaffSession
    team_private_keys: dict[str, bytes] = field(repr=False)


def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _box(token: str) -> nacl.secret.SecretBox:
    key = hashlib.blake2b(token.encode(), digest_size=32, person=_SESSION_KEY_PERSON).digest()
    return nacl.secret.SecretBox(key)


def unwrap_team_keys(session: Session, member: StaffMember, password: str) -> dict[str, bytes]:
    """All of the member's team keys, by key id; WrongSecretError on a bad password.

    This is the password check: there is no password hash, only wraps.
    """
    rows = session.execute(
        select(TeamKey.key_id, KeyWrap.wrapped_private_key)
        .join(KeyWrap, KeyWrap.team_key_id == TeamKey.id)
        .where(KeyWrap.staff_member_id == member.id)
        .order_by(TeamKey.id.desc())
    ).all()
    if not rows:
        raise WrongSecretError("no key wraps for this member")
    return {key_id: unwrap_private_key(wrapped, password) for key_id, wrapped in rows}


def open_new_session(session: Session, member: StaffMember, keys: dict[str, bytes]) -> str:
    """Store a new session for ``member`` and return its token (for the cookie only)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    document = json.dumps({key_id: key.hex() for key_id, key in keys.items()}).encode()
    session.add(
        StaffSession(
            id=_session_id(token),
            staff_member_id=member.id,
            sealed_team_keys=_box(token).encrypt(document),
        )
    )
    session.flush()
    return token


def resume_session(
    session: Session,
    token: str,
    *,
    idle: timedelta,
    lifetime: timedelta,
    now: datetime | None = None,
) -> OpenSession | None:
    """The live session for ``token``, or None (and the row deleted) if expired."""
    now = now or utcnow()
    record = session.get(StaffSession, _session_id(token))
    if record is None:
        return None
    member = session.get(StaffMember, record.staff_member_id)
    expired = now - record.last_seen_at > idle or now - record.created_at > lifetime
    if expired or member is None or member.disabled_at is not None:
        session.delete(record)
        return None
    try:
        document = json.loads(_box(token).decrypt(record.sealed_team_keys))
    except nacl.exceptions.CryptoError:
        session.delete(record)
        return None
    record.last_seen_at = now
    return OpenSession(
        member=member,
        record=record,
        team_private_keys={key_id: bytes.fromhex(key) for key_id, key in document.items()},
    )


def close_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.id == _session_id(token)))


def purge_expired_sessions(
    session: Session, *, idle: timedelta, lifetime: timedelta, now: datetime | None = None
) -> int:
    now = now or utcnow()
    result = session.execute(
        delete(StaffSession).where(
            (StaffSession.last_seen_at < now - idle) | (StaffSession.created_at < now - lifetime)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
