"""Destroying a retired team key (crypto-shredding), once nothing needs it.

A key is destroyed only when it is retired and no column sealed to a team
key (the registry, ``utvag.store.models.sealed``) holds an envelope naming it:
re-sealing has moved everything. Then its lock in the console's key store
is deleted, which makes every copy of the key unreadable at once — the
grants and invitations in this database and in every older backup of it —
and the grants themselves are deleted, and every session of the team ends
(a session holds the opened keys). The key's row stays, marked destroyed.

What a destruction buys: a contact purged under retention stays readable in
an older backup only while the key it was sealed under lives. After the
destruction, that backup plus a password plus today's console secrets no
longer opens it. (An older copy of the console's secrets still holds the
lock: the copy kept apart must be replaced after a destruction.)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.console_keys import ConsoleKeys
from utvag.store.models import KeyWrap, StaffMember, StaffSession, Team, TeamKey
from utvag.store.models.sealed import names_team_key, sealed_to_team


class DestructionProblem(enum.StrEnum):
    ACTIVE_KEY = "active_key"
    ALREADY_DESTROYED = "already_destroyed"
    STILL_SEALED = "still_sealed"


class DestructionRefused(Exception):
    """The key cannot be destroyed yet; ``problem`` says why, nothing changed."""

    def __init__(self, problem: DestructionProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def still_sealed_to(session: Session, team_key_ids: list[str]) -> dict[str, int]:
    """For each column sealed to a team key, how many rows name one of these keys.

    Every column in the registry is counted, zeros included, so the caller
    sees the whole list it was checked against.
    """
    if not team_key_ids:
        return {entry.name: 0 for entry in sealed_to_team()}
    return {
        entry.name: session.scalar(
            select(func.count()).select_from(entry.model).where(names_team_key(entry, team_key_ids))
        )
        or 0
        for entry in sealed_to_team()
    }


@dataclass(frozen=True)
class Destroyed:
    team_key_id: str
    grants_deleted: int
    sessions_ended: int
    lock_deleted: bool


def destroy_team_key(
    session: Session,
    team: Team,
    team_key: TeamKey,
    keys: ConsoleKeys,
    *,
    keep_session_id: str | None = None,
    now: datetime | None = None,
) -> Destroyed:
    """Destroy ``team_key`` in every wrapping; DestructionRefused if it may not be.

    The lock is deleted before the database changes are committed: should
    the commit fail, the key is gone all the same (what it sealed had
    already moved) and a second attempt finishes the rest.
    ``keep_session_id`` is the caller's own session, which the console
    updates itself; every other session of the team ends.
    """
    if team_key.team_id != team.id:
        raise ValueError("the key is not this team's")
    if team_key.destroyed_at is not None:
        raise DestructionRefused(DestructionProblem.ALREADY_DESTROYED)
    if team_key.retired_at is None:
        raise DestructionRefused(DestructionProblem.ACTIVE_KEY)
    if any(still_sealed_to(session, [team_key.key_id]).values()):
        raise DestructionRefused(DestructionProblem.STILL_SEALED)
    lock_deleted = keys.destroy_lock(team_key.key_id)
    grants = session.execute(delete(KeyWrap).where(KeyWrap.team_key_id == team_key.id))
    members = select(StaffMember.id).where(StaffMember.team_id == team.id)
    ended = delete(StaffSession).where(StaffSession.staff_member_id.in_(members))
    if keep_session_id is not None:
        ended = ended.where(StaffSession.id != keep_session_id)
    sessions = session.execute(ended)
    team_key.destroyed_at = now or utcnow()
    return Destroyed(
        team_key_id=team_key.key_id,
        grants_deleted=grants.rowcount or 0,  # type: ignore[attr-defined]
        sessions_ended=sessions.rowcount or 0,  # type: ignore[attr-defined]
        lock_deleted=lock_deleted,
    )


@dataclass(frozen=True)
class KeyState:
    """One team key as a lead reads it."""

    key: TeamKey
    still_sealed: int
    lock_present: bool

    @property
    def destroyable(self) -> bool:
        return (
            self.key.retired_at is not None
            and self.key.destroyed_at is None
            and (self.still_sealed == 0)
        )


def team_key_states(session: Session, team_id: int, keys: ConsoleKeys) -> list[KeyState]:
    """Every key of the team, oldest first, with what is still sealed to it."""
    held = keys.lock_ids()
    states = []
    for team_key in session.scalars(
        select(TeamKey).where(TeamKey.team_id == team_id).order_by(TeamKey.id)
    ):
        count = 0
        if team_key.destroyed_at is None:
            count = sum(still_sealed_to(session, [team_key.key_id]).values())
        states.append(KeyState(team_key, count, team_key.key_id in held))
    return states


def oldest_live_key_predates(
    states: list[KeyState], retention_days: int, now: datetime | None = None
) -> TeamKey | None:
    """The oldest key not destroyed, if it is older than the retention period.

    Then what retention deleted may still be in older backups, readable with
    that key: rotate, re-seal and destroy it to end that.
    """
    now = now or utcnow()
    live = [state.key for state in states if state.key.destroyed_at is None]
    if live and live[0].created_at < now - timedelta(days=retention_days):
        return live[0]
    return None
