"""The way back in when every admin has lost their password.

The team recovery code (printed once at ``utvag team create``), with the
console's pepper, unwraps the recovery key, which opens the team keys sealed
to it (each grant unlocked with its lock from the key store). An admin
account is then given a fresh key pair under a new password and a new TOTP
secret. A recovery key still wrapped without the pepper is re-wrapped with
it here, the code having just proven itself.
"""

from __future__ import annotations

import pyotp
from sqlalchemy import delete
from sqlalchemy.orm import Session

from crypto.codes import RECOVERY_CODE_LENGTH, normalise_code
from crypto.errors import CryptoError
from crypto.kdf_cost import KdfCost
from crypto.unwrapping import unwrap_private_key
from crypto.wrapping import PEPPERED_VERSION, wrap_private_key, wrapping_version
from triage.keys.keyring import open_grants, spend_one_unwrap
from utvag.console_keys import ConsoleKeys
from utvag.repo.staff import (
    check_new_password,
    give_member_a_key_pair,
    member_by_username,
    seal_totp_secret,
)
from utvag.store.models import Role, StaffMember, StaffSession, Team


class RecoveryRefused(Exception):
    """Unknown admin or wrong code: one answer for both."""


def recover_admin(
    session: Session,
    username: str,
    recovery_code: str,
    new_password: str,
    cost: KdfCost,
    keys: ConsoleKeys,
) -> tuple[StaffMember, Team, str]:
    """Reset an admin's key pair, password and TOTP with the team recovery code.

    Returns the member, the team and the new TOTP secret (to show once).
    Raises RecoveryRefused, or TeamError for a password that is too weak
    (checked before anything is spent on Argon2).
    """
    member = member_by_username(session, username.strip().lower())
    check_new_password(new_password, username.strip().lower())
    canonical = normalise_code(recovery_code, RECOVERY_CODE_LENGTH)
    team = session.get(Team, member.team_id) if member is not None else None
    if (
        member is None
        or team is None
        or member.role != Role.ADMIN.value
        or canonical is None
        or team.wrapped_recovery_key is None
    ):
        # The same Argon2 work as a wrong code: the time does not say which.
        spend_one_unwrap(cost)
        raise RecoveryRefused
    try:
        recovery_private = unwrap_private_key(
            team.wrapped_recovery_key, canonical, pepper=keys.wrap_pepper
        )
        team_private_keys = open_grants(session, recovery_private, None, team.id, keys)
    except CryptoError:
        raise RecoveryRefused from None
    if not team_private_keys:
        raise RecoveryRefused
    if wrapping_version(team.wrapped_recovery_key) != PEPPERED_VERSION:
        team.wrapped_recovery_key = wrap_private_key(
            recovery_private, canonical, cost, pepper=keys.wrap_pepper
        )
    give_member_a_key_pair(session, member, new_password, team_private_keys, cost, keys)
    totp_secret = pyotp.random_base32()
    seal_totp_secret(member, totp_secret)
    member.last_totp_step = None
    member.disabled_at = None
    member.failed_logins = 0
    member.locked_until = None
    session.execute(delete(StaffSession).where(StaffSession.staff_member_id == member.id))
    return member, team, totp_secret
