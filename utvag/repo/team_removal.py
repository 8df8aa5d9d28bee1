"""Removing a team that has left the install: its keys destroyed, its rows gone.

In one transaction: every row of the team (found through the foreign keys,
``utvag.repo.team_rows``) and the outbox entries that only concern them are
deleted, optionally after the caller kept the team's yearly figures, and one
``team_removed`` row is added to the audit trail. Just before the commit,
the lock of every key the team ever had is deleted from the console's key
store, as a key destruction does: no backup, older or newer, opens the
team's envelopes any more. Should the commit fail, the locks are written
back, so a failure leaves the team as it was. (A process killed between the
two leaves the team in place with its locks gone: the copy of the console's
secrets kept apart puts them back.)

The audit trail is one hash chain for the whole install, so the team's audit
rows stay where they are: removing them would break every later hash.
They hold no content by construction (actions, times, ids and staff
usernames; never what a person wrote, a number or an address), and the
chain ends the team's part with the ``team_removed`` row.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from utvag.console_keys import ConsoleKeys
from utvag.repo import audit
from utvag.repo.outbox import ROW_NAMED_BY_JOB, entries_naming
from utvag.repo.team_rows import TeamRows, team_tables
from utvag.repo.teams import team_by_slug
from utvag.store.db import transaction
from utvag.store.models import OutboxEntry, StaffMember, StaffSession, Team, TeamKey


class RemovalProblem(enum.StrEnum):
    NO_SUCH_TEAM = "no_such_team"
    LAST_TEAM = "last_team"
    MEMBERS_LOGGED_IN = "members_logged_in"


class RemovalRefused(Exception):
    """The team cannot be removed; ``problem`` says why, nothing changed."""

    def __init__(self, problem: RemovalProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass
class Removed:
    slug: str
    rows_deleted: dict[str, int] = field(default_factory=dict)
    outbox_entries_deleted: int = 0
    keys_destroyed: list[str] = field(default_factory=list)
    years_kept: list[int] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows_deleted.values())


KeepFigures = Callable[[Session, Team], list[int]]


def _refuse_unless_removable(session: Session, slug: str) -> Team:
    team = team_by_slug(session, slug)
    if team is None:
        raise RemovalRefused(RemovalProblem.NO_SUCH_TEAM)
    if (session.scalar(select(func.count()).select_from(Team)) or 0) <= 1:
        raise RemovalRefused(RemovalProblem.LAST_TEAM)
    logged_in = session.scalar(
        select(func.count())
        .select_from(StaffSession)
        .join(StaffMember, StaffMember.id == StaffSession.staff_member_id)
        .where(StaffMember.team_id == team.id)
    )
    if logged_in:
        raise RemovalRefused(RemovalProblem.MEMBERS_LOGGED_IN)
    return team


def _delete_outbox_entries(session: Session, rows: TeamRows) -> int:
    by_name = {table.name: table for table in team_tables()}
    named: dict[str, set[int]] = {}
    for table_name in set(ROW_NAMED_BY_JOB.values()):
        table = by_name.get(table_name)
        if table is not None:
            named[table_name] = set(
                session.scalars(select(table.c.id).where(rows.condition(table)))
            )
    entry_ids = entries_naming(session, named)
    for start in range(0, len(entry_ids), 900):
        session.execute(
            delete(OutboxEntry).where(OutboxEntry.id.in_(entry_ids[start : start + 900]))
        )
    return len(entry_ids)


def remove_team(
    factory: sessionmaker[Session],
    slug: str,
    keys: ConsoleKeys,
    *,
    actor_name: str,
    keep_figures: KeepFigures | None = None,
) -> Removed:
    """Remove the team ``slug``; RemovalRefused (nothing changed) if it may not be."""
    removed = Removed(slug=slug)
    taken: dict[str, bytes] = {}
    try:
        with transaction(factory) as session:
            team = _refuse_unless_removable(session, slug)
            if keep_figures is not None:
                removed.years_kept = keep_figures(session, team)
            key_ids = list(
                session.scalars(
                    select(TeamKey.key_id).where(TeamKey.team_id == team.id).order_by(TeamKey.id)
                )
            )
            rows = TeamRows(team.id)
            removed.outbox_entries_deleted = _delete_outbox_entries(session, rows)
            team_id = team.id
            session.expunge_all()
            removed.rows_deleted = rows.delete_all(session)
            audit.record(
                session,
                "team_removed",
                team_id=team_id,
                actor_name=actor_name,
                details={
                    "slug": slug,
                    "rows": removed.total_rows,
                    "keys_destroyed": len(key_ids),
                    "years_kept": removed.years_kept,
                },
            )
            session.flush()
            # Last, just before the commit (which chains the audit row).
            for key_id in key_ids:
                secret = keys.lock_secret(key_id)
                if secret is not None:
                    taken[key_id] = secret
                    keys.destroy_lock(key_id)
            removed.keys_destroyed = key_ids
    except BaseException:
        for key_id, secret in taken.items():
            keys.put_back_lock(key_id, secret)
        raise
    return removed
