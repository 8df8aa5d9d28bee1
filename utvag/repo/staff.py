"""Staff members and their keys: everything that only wraps or seals.

Unwrapping (login, enrolment, recovery) happens in the console, which hands
the opened team keys in here to be sealed to someone else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crypto.kdf_cost import KdfCost
from crypto.key_locks import lock
from crypto.keys import generate_team_keypair, key_id
from crypto.sealing import seal
from crypto.wrapping import wrap_private_key
from utvag.clock import utcnow
from utvag.console_keys import ConsoleKeys
from utvag.repo.teams import TeamError, TeamProblem
from utvag.store.models import KeyWrap, Role, StaffMember, StaffSession, Team, TeamKey

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12  # also in the refusal's text (utvag.repo.teams)
MAX_PASSWORD_LENGTH = 1024
# Passwords people reach for first; a longer list belongs in a file, but these
# are the ones staff in a hurry actually type.
COMMON_PASSWORDS = frozenset(
    {
        "password1234",
        "lösenord1234",
        "losenord1234",
        "123456789012",
        "qwertyuiopå",
        "sommar2026!!",
        "vinter2026!!",
        "eskilstuna123",
        "changeme1234",
    }
)


def check_username(username: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise TeamError(TeamProblem.BAD_USERNAME)


def check_new_password(password: str, username: str = "") -> None:
    """Length first (NIST 800-63B): at least 12 characters, no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise TeamError(TeamProblem.TOO_SHORT)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise TeamError(TeamProblem.TOO_LONG)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 5:
        raise TeamError(TeamProblem.TOO_EASY)
    if len(username) >= 4 and username.lower() in lowered:
        raise TeamError(TeamProblem.HAS_USERNAME)


def username_taken(session: Session, username: str) -> bool:
    from utvag.store.models import Enrolment

    return (
        session.scalar(select(StaffMember.id).where(StaffMember.username == username)) is not None
        or session.scalar(select(Enrolment.id).where(Enrolment.username == username)) is not None
    )


def seal_grant(
    keys: ConsoleKeys, recipient_public_key: bytes, team_key_id: str, private_key: bytes
) -> bytes:
    """A team private key sealed to a recipient, then locked under the key's
    lock in the console's key store (``crypto.key_locks``)."""
    lock_secret = keys.lock_secret(team_key_id)
    if lock_secret is None:
        raise RuntimeError(
            f"the console's key store has no lock for team key {team_key_id}: "
            "restore the key store from its copy"
        )
    return lock(lock_secret, team_key_id, seal(recipient_public_key, private_key))


def grant_team_keys(
    session: Session,
    recipient_public_key: bytes,
    staff_member_id: int | None,
    team_private_keys: Mapping[str, bytes],
    keys: ConsoleKeys,
) -> None:
    """Seal each team key to a member (or, with no member, to the recovery
    key), locked under its lock; a destroyed key is never granted again."""
    team_keys = session.scalars(
        select(TeamKey).where(
            TeamKey.key_id.in_(list(team_private_keys)), TeamKey.destroyed_at.is_(None)
        )
    )
    for team_key in team_keys:
        exists = session.scalar(
            select(KeyWrap.id).where(
                KeyWrap.team_key_id == team_key.id,
                KeyWrap.staff_member_id.is_(None)
                if staff_member_id is None
                else KeyWrap.staff_member_id == staff_member_id,
            )
        )
        if exists is None:
            session.add(
                KeyWrap(
                    team_key_id=team_key.id,
                    staff_member_id=staff_member_id,
                    sealed_private_key=seal_grant(
                        keys,
                        recipient_public_key,
                        team_key.key_id,
                        team_private_keys[team_key.key_id],
                    ),
                )
            )
    session.flush()


def give_member_a_key_pair(
    session: Session,
    member: StaffMember,
    password: str,
    team_private_keys: Mapping[str, bytes],
    cost: KdfCost,
    keys: ConsoleKeys,
) -> None:
    """A fresh key pair for the member, wrapped under their password and the
    console's pepper, and the team keys sealed to it. Old grants to an old
    key pair are replaced; what was sealed to the old key pair (the TOTP
    secret) must be sealed again."""
    check_new_password(password, member.username)
    private_key, public_key = generate_team_keypair()
    member.public_key = public_key
    member.wrapped_private_key = wrap_private_key(
        private_key, password, cost, pepper=keys.wrap_pepper
    )
    session.execute(delete(KeyWrap).where(KeyWrap.staff_member_id == member.id))
    session.flush()
    grant_team_keys(session, public_key, member.id, team_private_keys, keys)


def create_member(
    session: Session,
    team: Team,
    *,
    username: str,
    role: Role,
    password: str,
    totp_secret: str,
    team_private_keys: Mapping[str, bytes],
    cost: KdfCost,
    keys: ConsoleKeys,
) -> StaffMember:
    check_username(username)
    # Sealed once the member has a key pair, a few lines down.
    member = StaffMember(
        team_id=team.id, username=username, role=role.value, sealed_totp_secret=b""
    )
    session.add(member)
    session.flush()
    give_member_a_key_pair(session, member, password, team_private_keys, cost, keys)
    seal_totp_secret(member, totp_secret)
    return member


def seal_totp_secret(member: StaffMember, totp_secret: str) -> None:
    """Keep the member's TOTP secret sealed to their own public key."""
    if member.public_key is None:
        raise RuntimeError("the member has no key pair")
    member.sealed_totp_secret = seal(member.public_key, totp_secret.encode("ascii"))


def rewrap_member_key(
    member: StaffMember, member_private_key: bytes, new_password: str, cost: KdfCost, pepper: bytes
) -> None:
    """Password change (or a key still wrapped without the pepper): the same
    key pair, wrapped under the password and the console's pepper."""
    check_new_password(new_password, member.username)
    member.wrapped_private_key = wrap_private_key(
        member_private_key, new_password, cost, pepper=pepper
    )


def remove_member(session: Session, member: StaffMember, now: datetime | None = None) -> None:
    """Disable the account and destroy its key copy, every session it has,
    the phone it called from, and the phone it got staff notices on."""
    member.disabled_at = now or utcnow()
    member.wrapped_private_key = None
    member.sealed_phone = None
    member.notice_phone = None
    session.execute(delete(KeyWrap).where(KeyWrap.staff_member_id == member.id))
    session.execute(delete(StaffSession).where(StaffSession.staff_member_id == member.id))


def members_of(session: Session, team_id: int) -> list[StaffMember]:
    return list(
        session.scalars(
            select(StaffMember).where(StaffMember.team_id == team_id).order_by(StaffMember.username)
        )
    )


def member_names(session: Session, team_id: int) -> dict[int, str]:
    """Member id to username, for showing who did what."""
    return {member.id: member.username for member in members_of(session, team_id)}


def member_by_username(session: Session, username: str) -> StaffMember | None:
    return session.scalar(select(StaffMember).where(StaffMember.username == username))


def rotate_team_key(
    session: Session, team: Team, keys: ConsoleKeys, now: datetime | None = None
) -> tuple[TeamKey, bytes]:
    """A new team key pair: new submissions are sealed to it from now on.

    The old keys stay (retired for sealing) so everything sealed to them can
    still be opened, until re-sealing has moved it all and they are
    destroyed. The new key gets its own lock in the console's key store. Its
    private half is sealed to every active member and to the recovery key; no
    password is needed, and a removed member, having no grant, never gets it.
    """
    now = now or utcnow()
    private_key, public_key = generate_team_keypair()
    keys.new_lock_secret(key_id(public_key))
    for old in session.scalars(
        select(TeamKey).where(TeamKey.team_id == team.id, TeamKey.retired_at.is_(None))
    ):
        old.retired_at = now
    new_key = TeamKey(team_id=team.id, key_id=key_id(public_key), public_key=public_key)
    session.add(new_key)
    team.facts_version = (team.facts_version or 0) + 1
    session.flush()
    grant = {new_key.key_id: private_key}
    for member in members_of(session, team.id):
        if member.is_active and member.public_key is not None:
            grant_team_keys(session, member.public_key, member.id, grant, keys)
    if team.recovery_public_key is not None:
        grant_team_keys(session, team.recovery_public_key, None, grant, keys)
    return new_key, private_key
