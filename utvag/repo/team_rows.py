"""Which rows belong to a team, found by walking the foreign keys.

A row belongs to a team when a foreign key that *owns* it points at a row of
the team: ``teams`` itself, then onwards (a contact's team, a call attempt's
contact, a case check's case, a key grant's key…). A foreign key owns its row
when the row cannot outlive what it points at: ``ON DELETE CASCADE``, or a
column that may not be empty. A nullable ``SET NULL`` key (who made a call,
which contact this one was merged into) only refers: deleting what it points
at empties the column, as the database itself would.

Nothing here names a table: the walk reads the models' metadata, so a table
added later with a foreign key to ``teams`` (or to anything of a team's) is
covered without touching this module. Tables without such a path —
``audit_events`` (plain ids, by design), ``outbox`` (ids in its arguments,
see ``utvag.repo.outbox.ROW_NAMED_BY_JOB``), the network throttles, spent
proofs and the worker's runs — hold nothing of one team.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, ForeignKey, Table, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from utvag.store.db import Base
from utvag.store.models import AuditEvent, Team  # and with them every model on the metadata

TEAMS_TABLE = "teams"


class SelfOwnedTable(RuntimeError):
    """A table owned through a foreign key to itself: the walk would need recursion."""


def owns(foreign_key: ForeignKey) -> bool:
    """Whether the row cannot outlive the row this key points at."""
    ondelete = (foreign_key.ondelete or "").upper()
    return ondelete == "CASCADE" or not foreign_key.parent.nullable


def team_tables() -> list[Table]:
    """Every table that can hold a team's rows, parents before children."""
    return [table for table in Base.metadata.sorted_tables if _reaches_teams(table)]


def _reaches_teams(table: Table) -> bool:
    if table.name == TEAMS_TABLE:
        return True
    return any(
        owns(fk) and fk.column.table is not table and _reaches_teams(fk.column.table)
        for fk in table.foreign_keys
    )


@dataclass(frozen=True)
class TeamRows:
    """The condition that picks one team's rows out of each table."""

    team_id: int

    def condition(self, table: Table) -> ColumnElement[bool]:
        if table.name == TEAMS_TABLE:
            return table.c.id == self.team_id
        clauses: list[ColumnElement[bool]] = []
        for fk in sorted(table.foreign_keys, key=lambda each: each.parent.name):
            if not owns(fk):
                continue
            parent = fk.column.table
            if parent is table:
                raise SelfOwnedTable(f"{table.name}.{fk.parent.name} owns rows of its own table")
            if not _reaches_teams(parent):
                continue
            if parent.name == TEAMS_TABLE and fk.column.name == "id":
                clauses.append(fk.parent == self.team_id)
            else:
                clauses.append(fk.parent.in_(select(fk.column).where(self.condition(parent))))
        return or_(*clauses) if clauses else false()

    def select_rows(self, table: Table):  # type: ignore[no-untyped-def]
        """``SELECT * FROM table WHERE <the team's rows>``, in primary-key order."""
        return select(table).where(self.condition(table)).order_by(*table.primary_key.columns)

    def counts(self, session: Session) -> dict[str, int]:
        """How many rows of the team each table holds (zeros included)."""
        return {
            table.name: int(
                session.scalar(select(func.count()).select_from(table).where(self.condition(table)))
                or 0
            )
            for table in team_tables()
        }

    def delete_all(self, session: Session) -> dict[str, int]:
        """Delete every row of the team, children first; returns what went per table.

        First every referring (non-owning) key anywhere that points at a row
        about to go is emptied, as ``SET NULL`` would, without relying on the
        database to do it; then each table's rows go before their parents'.
        """
        tables = team_tables()
        by_name = {table.name: table for table in tables}
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                parent = fk.column.table
                if owns(fk) or parent.name not in by_name:
                    continue
                session.execute(
                    update(table)
                    .where(fk.parent.in_(select(fk.column).where(self.condition(parent))))
                    .values({fk.parent.name: None})
                )
        deleted: dict[str, int] = {}
        for table in reversed(tables):
            result = session.execute(delete(table).where(self.condition(table)))
            deleted[table.name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        return deleted


def fresh_team_id(session: Session) -> int | None:
    """The id a new team must take on SQLite, or None to let the database choose.

    The audit trail keeps a removed team's rows with their plain team id,
    and the console shows a team the audit rows with its id. SQLite gives a
    new row the highest id plus one, so it would give a removed team's id
    again; PostgreSQL's sequence never does. So on SQLite a new team takes
    an id above every id the teams table and the audit trail have known.
    """
    if session.get_bind().dialect.name != "sqlite":
        return None
    highest = max(
        session.scalar(select(func.max(Team.id))) or 0,
        session.scalar(select(func.max(AuditEvent.team_id))) or 0,
    )
    return highest + 1
