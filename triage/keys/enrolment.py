"""Adding a member: an admin invites, the new member enrols with a one-time code.

The admin's session wraps the team keys under the code (Argon2id) and the
console's pepper, so the keys wait in the database protected by a secret
that exists only on the piece of paper the admin hands over. Each team key
in the invitation is also locked under its own lock in the console's key
store, so destroying a key destroys the invitation's copy too. The new
member sets a password and TOTP; only then are the keys sealed to their own
new key pair.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crypto.codes import RECEIPT_CODE_LENGTH, group_code, new_receipt_code, normalise_code
from crypto.errors import CryptoError, WrongSecretError
from crypto.kdf_cost import KdfCost
from crypto.key_locks import lock, locked_key_id
from crypto.key_unlocking import unlock
from crypto.keys import generate_team_keypair, key_id, public_key_of
from crypto.opening import open_sealed
from crypto.sealing import seal
from crypto.unwrapping import unwrap_private_key
from crypto.wrapping import wrap_private_key
from triage.keys.keyring import open_totp_secret, spend_one_unwrap
from utvag.clock import utcnow
from utvag.console_keys import ConsoleKeys
from utvag.repo.staff import check_new_password, check_username, create_member, username_taken
from utvag.repo.teams import TeamError, TeamProblem
from utvag.store.models import Enrolment, Role, StaffMember, Team

ENROLMENT_VALID = timedelta(days=3)
MAX_FAILED_ATTEMPTS = 5


@dataclass(frozen=True)
class Invitation:
    enrolment: Enrolment
    code: str


@dataclass(frozen=True)
class OpenedInvitation:
    """An invitation its code has opened: the team keys, and the invitation's
    own private key, which opens the TOTP secret sealed to it."""

    enrolment: Enrolment
    team_private_keys: dict[str, bytes] = field(repr=False)
    private_key: bytes = field(repr=False)


def invite(
    session: Session,
    team: Team,
    *,
    username: str,
    role: Role,
    team_private_keys: Mapping[str, bytes],
    invited_by: StaffMember,
    cost: KdfCost,
    keys: ConsoleKeys,
    now: datetime | None = None,
) -> Invitation:
    now = now or utcnow()
    username = username.strip().lower()
    check_username(username)
    if username_taken(session, username):
        raise TeamError(TeamProblem.USERNAME_TAKEN)
    code = new_receipt_code()
    canonical = normalise_code(code, RECEIPT_CODE_LENGTH) or ""
    document = json.dumps(_locked_keys(keys, team_private_keys))
    private_key, public_key = generate_team_keypair()
    enrolment = Enrolment(
        team_id=team.id,
        username=username,
        role=role.value,
        wrapped_private_key=wrap_private_key(private_key, canonical, cost, pepper=keys.wrap_pepper),
        sealed_team_keys=seal(public_key, document.encode()),
        created_by_id=invited_by.id,
        created_at=now,
        expires_at=now + ENROLMENT_VALID,
    )
    session.add(enrolment)
    session.flush()
    return Invitation(enrolment=enrolment, code=group_code(canonical))


def _locked_keys(keys: ConsoleKeys, team_private_keys: Mapping[str, bytes]) -> dict[str, str]:
    """Each team key the admin holds, locked under its lock (hex, for JSON).
    A key whose lock is gone (destroyed) is not handed on."""
    locked = {}
    for team_key_id, private_key in team_private_keys.items():
        lock_secret = keys.lock_secret(team_key_id)
        if lock_secret is not None:
            locked[team_key_id] = lock(lock_secret, team_key_id, private_key).hex()
    return locked


def _unlocked_keys(keys: ConsoleKeys, document: dict[str, str]) -> dict[str, bytes]:
    """The team keys in an invitation that still open: locked ones with their
    lock (a destroyed key's lock is gone), and the raw keys of an invitation
    made before locks existed."""
    opened = {}
    for team_key_id, value in document.items():
        raw = bytes.fromhex(value)
        if locked_key_id(raw) == team_key_id:
            lock_secret = keys.lock_secret(team_key_id)
            if lock_secret is None:
                continue
            try:
                raw = unlock(lock_secret, raw)
            except CryptoError:
                continue
        if len(raw) == 32 and key_id(public_key_of(raw)) == team_key_id:
            opened[team_key_id] = raw
    return opened


def _pending(session: Session, username: str, now: datetime) -> Enrolment | None:
    enrolment = session.scalar(
        select(Enrolment).where(Enrolment.username == username.strip().lower()).with_for_update()
    )
    if enrolment is not None and enrolment.expires_at < now:
        session.delete(enrolment)
        return None
    return enrolment


def open_invitation(
    session: Session,
    username: str,
    code: str,
    cost: KdfCost,
    keys: ConsoleKeys,
    now: datetime | None = None,
) -> OpenedInvitation | None:
    """The enrolment and what its code opens, or None for any refusal.

    Wrong codes count (the caller commits the count); after five the
    invitation is destroyed and the admin must invite again. An unknown name
    or a malformed code costs the same Argon2 work as a wrong code.
    """
    now = now or utcnow()
    enrolment = _pending(session, username, now)
    canonical = normalise_code(code, RECEIPT_CODE_LENGTH)
    if enrolment is None:
        spend_one_unwrap(cost)
        return None
    try:
        if canonical is None:
            spend_one_unwrap(cost)
            raise WrongSecretError("malformed code")
        private_key = unwrap_private_key(
            enrolment.wrapped_private_key, canonical, pepper=keys.wrap_pepper
        )
        document = open_sealed(
            {key_id(public_key_of(private_key)): private_key}, enrolment.sealed_team_keys
        )
    except CryptoError:
        enrolment.failed_attempts += 1
        if enrolment.failed_attempts >= MAX_FAILED_ATTEMPTS:
            session.delete(enrolment)
        return None
    return OpenedInvitation(enrolment, _unlocked_keys(keys, json.loads(document)), private_key)


def start_totp(opened: OpenedInvitation) -> str:
    """The TOTP secret the new member adds to their app, kept sealed to the
    invitation until the member confirms it with a code."""
    enrolment = opened.enrolment
    if enrolment.sealed_totp_secret is None:
        secret = pyotp.random_base32()
        enrolment.sealed_totp_secret = seal(
            public_key_of(opened.private_key), secret.encode("ascii")
        )
        return secret
    return open_totp_secret(enrolment.sealed_totp_secret, opened.private_key)


def complete(
    session: Session,
    team: Team,
    opened: OpenedInvitation,
    *,
    password: str,
    totp_code: str,
    cost: KdfCost,
    keys: ConsoleKeys,
) -> StaffMember:
    """Create the member once password and TOTP check out; the invitation goes.

    Raises TeamError before writing anything if either does not.
    """
    enrolment = opened.enrolment
    check_new_password(password, enrolment.username)
    secret = start_totp(opened)
    if not pyotp.TOTP(secret).verify(totp_code.strip(), valid_window=1):
        raise TeamError(TeamProblem.WRONG_APP_CODE)
    session.execute(delete(Enrolment).where(Enrolment.id == enrolment.id))
    session.flush()
    member = create_member(
        session,
        team,
        username=enrolment.username,
        role=Role(enrolment.role),
        password=password,
        totp_secret=secret,
        team_private_keys=opened.team_private_keys,
        cost=cost,
        keys=keys,
    )
    member.last_totp_step = pyotp.TOTP(secret).timecode(datetime.now())
    return member


def pending_invitations(session: Session, team_id: int) -> list[Enrolment]:
    return list(
        session.scalars(
            select(Enrolment).where(Enrolment.team_id == team_id).order_by(Enrolment.created_at)
        )
    )
