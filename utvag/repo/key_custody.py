"""Whether the database and the console's own secrets belong together.

The database holds wraps made with the console's pepper and grants locked
under locks in the console's key store; neither secret is in the database or
its backups. These checks let ``utvag init``, ``utvag restore`` and the
console say clearly when the two do not match — before anyone is told their
password is wrong — and lock grants made before locks existed.
"""

from __future__ import annotations

from sqlalchemy import LargeBinary, func, literal, select
from sqlalchemy.orm import Session

from crypto.key_locks import lock, locked_key_id
from crypto.wrapping import PEPPERED_VERSION
from utvag.console_keys import ConsoleKeys
from utvag.store.models import KeyWrap, TeamKey
from utvag.store.models.sealed import LOCKED_MAGIC, SEALED_COLUMNS, WRAPPED_MAGIC, SealedTo

_PEPPERED_HEADER = WRAPPED_MAGIC + bytes([PEPPERED_VERSION])
_WRAPPED_WITH_A_SECRET = {SealedTo.LOGIN_WRAP, SealedTo.RECOVERY_WRAP, SealedTo.ENROLMENT_WRAP}


def pepper_in_use(session: Session) -> bool:
    """True if any key in the database is wrapped with the console's pepper:
    then a pepper made now would be the wrong one."""
    for entry in SEALED_COLUMNS:
        if not entry.sealed_to & _WRAPPED_WITH_A_SECRET:
            continue
        header = func.substr(entry.attribute, 1, 3, type_=LargeBinary)
        found = session.scalar(
            select(func.count())
            .select_from(entry.model)
            .where(header == literal(_PEPPERED_HEADER, LargeBinary))
        )
        if found:
            return True
    return False


def lock_legacy_grants(session: Session, keys: ConsoleKeys) -> int:
    """Lock every grant stored before locks existed; returns how many.

    Needs no private key: the sealed grant is put inside the lock as it is.
    A key without a lock gets one now (it had none to lose).
    """
    rows = session.execute(
        select(KeyWrap, TeamKey.key_id).join(TeamKey, TeamKey.id == KeyWrap.team_key_id)
    ).all()
    locked = 0
    for wrap, team_key_id in rows:
        if locked_key_id(wrap.sealed_private_key) is not None:
            continue
        secret = keys.lock_secret(team_key_id) or keys.new_lock_secret(team_key_id)
        wrap.sealed_private_key = lock(secret, team_key_id, wrap.sealed_private_key)
        locked += 1
    return locked


def missing_locks(session: Session, keys: ConsoleKeys | None) -> list[str]:
    """Live team keys with locked grants whose lock is not in the key store
    (None: no console secrets at all): what was sealed to them cannot be
    opened here until the key store is put back from its copy."""
    locked_grant = func.substr(KeyWrap.sealed_private_key, 1, 2, type_=LargeBinary) == literal(
        LOCKED_MAGIC, LargeBinary
    )
    live = session.scalars(
        select(TeamKey.key_id)
        .where(TeamKey.destroyed_at.is_(None))
        .where(select(KeyWrap.id).where(KeyWrap.team_key_id == TeamKey.id, locked_grant).exists())
        .order_by(TeamKey.id)
    ).all()
    held = keys.lock_ids() if keys is not None else set()
    return [team_key_id for team_key_id in live if team_key_id not in held]
