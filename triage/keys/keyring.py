"""Staff sessions and the team keys they carry.

At login the member's own key is unwrapped with their password and the
console's pepper; it opens the member's grants of the team keys, each also
locked under that key's lock in the console's key store. The opened team
keys are immediately re-sealed under a key derived from a fresh random
session token.
The token goes only into the member's (signed, HttpOnly) cookie; the database
keeps its hash and the sealed keys. So the unwrapped keys are never in a
cookie in clear and never on disk in clear, and a copy of the database alone
opens nothing. Logout and expiry delete the row, and with it the keys.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import nacl.exceptions
import nacl.secret
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crypto.errors import CryptoError, WrongSecretError
from crypto.kdf import derive_wrapping_key
from crypto.kdf_cost import KdfCost
from crypto.key_locks import locked_key_id
from crypto.key_unlocking import unlock
from crypto.keys import key_id, public_key_of
from crypto.opening import open_sealed
from crypto.unwrapping import unwrap_private_key
from crypto.wrapping import PEPPERED_VERSION, wrap_private_key, wrapping_version
from utvag.clock import utcnow
from utvag.console_keys import ConsoleKeys
from utvag.store.models import KeyWrap, StaffMember, StaffSession, TeamKey

log = logging.getLogger(__name__)

TOKEN_BYTES = 32
_SESSION_KEY_PERSON = b"utvag-session"


@dataclass(frozen=True)
class OpenSession:
    member: StaffMember
    record: StaffSession
    team_private_keys: dict[str, bytes] = field(repr=False)


def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key_document(keys: dict[str, bytes]) -> bytes:
    return json.dumps({team_key_id: key.hex() for team_key_id, key in keys.items()}).encode()


def _box(token: str) -> nacl.secret.SecretBox:
    key = hashlib.blake2b(token.encode(), digest_size=32, person=_SESSION_KEY_PERSON).digest()
    return nacl.secret.SecretBox(key)


def open_grants(
    session: Session,
    private_key: bytes,
    staff_member_id: int | None,
    team_id: int,
    keys: ConsoleKeys,
) -> dict[str, bytes]:
    """The team keys sealed to a member (or, with no member, to the recovery key).

    Each grant is first unlocked with its key's lock from the key store. A
    grant whose lock is not in the store (destroyed, or a store not restored
    from its copy) opens nothing and is left out, logged by key id; a grant
    that does not open under the member's own key is a wrong secret.
    """
    rows = session.execute(
        select(TeamKey.key_id, KeyWrap.sealed_private_key)
        .join(KeyWrap, KeyWrap.team_key_id == TeamKey.id)
        .where(
            TeamKey.team_id == team_id,
            TeamKey.destroyed_at.is_(None),
            KeyWrap.staff_member_id.is_(None)
            if staff_member_id is None
            else KeyWrap.staff_member_id == staff_member_id,
        )
        .order_by(TeamKey.id.desc())
    ).all()
    recipient = {key_id(public_key_of(private_key)): private_key}
    opened = {}
    for team_key_id, grant in rows:
        sealed = _unlocked_grant(keys, team_key_id, grant)
        if sealed is None:
            continue
        team_private_key = open_sealed(recipient, sealed)
        if key_id(public_key_of(team_private_key)) != team_key_id:
            raise WrongSecretError("a grant holds another key than its row names")
        opened[team_key_id] = team_private_key
    return opened


def _unlocked_grant(keys: ConsoleKeys, team_key_id: str, grant: bytes) -> bytes | None:
    """The sealed grant inside its lock, or None if the lock is not there."""
    if locked_key_id(grant) != team_key_id:
        # Not locked (made before locks, and `utvag init` has not locked it
        # yet) or locked under another key's name: never trusted.
        log.error("a grant of team key %s is not locked under its own key", team_key_id)
        return None
    lock_secret = keys.lock_secret(team_key_id)
    if lock_secret is None:
        log.error(
            "the console's key store has no lock for team key %s: its contents cannot be opened"
            " here (destroyed, or restore the key store from its copy)",
            team_key_id,
        )
        return None
    try:
        return unlock(lock_secret, grant)
    except CryptoError:
        log.error("the lock of team key %s does not open its grant", team_key_id)
        return None


def spend_one_unwrap(cost: KdfCost) -> None:
    """Do the Argon2 work of one unwrap and throw it away.

    Every refusal that could otherwise answer early (no such member, no such
    invitation, a malformed code, a locked account) spends it, so the time an
    answer takes does not tell which names exist."""
    derive_wrapping_key(secrets.token_hex(16), secrets.token_bytes(16), cost)


def unwrap_member_key(member: StaffMember, password: str, pepper: bytes) -> bytes:
    """The member's own private key; WrongSecretError on a wrong password.

    This is the password check: there is no password hash, only the wrap.
    """
    if member.wrapped_private_key is None:
        raise WrongSecretError("this member has no key")
    return unwrap_private_key(member.wrapped_private_key, password, pepper=pepper)


def add_pepper_if_missing(
    member: StaffMember, private_key: bytes, password: str, cost: KdfCost, pepper: bytes
) -> bool:
    """Re-wrap a key still wrapped without the console's pepper (version 1)
    under the password just proven and the pepper; True if it was."""
    wrapped = member.wrapped_private_key
    if wrapped is None or wrapping_version(wrapped) == PEPPERED_VERSION:
        return False
    # Not `rewrap_member_key`: the password was chosen under the rules of its
    # day and has just proven itself; this only adds the pepper.
    member.wrapped_private_key = wrap_private_key(private_key, password, cost, pepper=pepper)
    return True


@dataclass(frozen=True)
class MemberSecrets:
    """What a member's password opens: their own key, the team keys and
    their TOTP secret."""

    member_private_key: bytes = field(repr=False)
    team_private_keys: dict[str, bytes] = field(repr=False)
    totp_secret: str = field(repr=False)


def unwrap_member_secrets(
    session: Session, member: StaffMember, password: str, keys: ConsoleKeys
) -> MemberSecrets:
    """WrongSecretError on a bad password (or a member with nothing to open)."""
    private_key = unwrap_member_key(member, password, keys.wrap_pepper)
    team_private_keys = open_grants(session, private_key, member.id, member.team_id, keys)
    if not team_private_keys:
        raise WrongSecretError("no team keys are sealed to this member")
    totp_secret = open_totp_secret(member.sealed_totp_secret, private_key)
    return MemberSecrets(private_key, team_private_keys, totp_secret)


def open_totp_secret(sealed_totp_secret: bytes, private_key: bytes) -> str:
    """A TOTP secret sealed to the holder of ``private_key`` (member or invitation)."""
    recipient = {key_id(public_key_of(private_key)): private_key}
    return open_sealed(recipient, sealed_totp_secret).decode("ascii")


def unwrap_team_keys(
    session: Session, member: StaffMember, password: str, keys: ConsoleKeys
) -> dict[str, bytes]:
    """All team keys the member holds, by key id; WrongSecretError on a bad password."""
    return unwrap_member_secrets(session, member, password, keys).team_private_keys


def open_new_session(session: Session, member: StaffMember, keys: dict[str, bytes]) -> str:
    """Store a new session for ``member`` and return its token (for the cookie only)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        StaffSession(
            id=_session_id(token),
            staff_member_id=member.id,
            sealed_team_keys=_box(token).encrypt(_key_document(keys)),
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


def replace_session_keys(session: Session, token: str, keys: dict[str, bytes]) -> None:
    """After a rotation the admin's own session holds the new key at once."""
    record = session.get(StaffSession, _session_id(token))
    if record is not None:
        record.sealed_team_keys = _box(token).encrypt(_key_document(keys))
