"""the agreements' clocks

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-06 18:40:00

Each team gains the clocks of its programme's agreement: the window the
mapping's due day must fall in after acceptance, how often the registers are
checked in an open case, and whether only people over 18 are taken. A case
gains the exceptions the lead made to them, each with a sealed reason.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(
            sa.Column("mapping_min_days", sa.Integer(), server_default="14", nullable=False)
        )
        batch.add_column(
            sa.Column("mapping_max_days", sa.Integer(), server_default="28", nullable=False)
        )
        batch.add_column(
            sa.Column("register_check_days", sa.Integer(), server_default="90", nullable=False)
        )
        batch.add_column(sa.Column("adults_only", sa.Boolean(), server_default="0", nullable=False))
    # Teams made before this revision: their preset is known only by its
    # checklist, so read it there (utvag/repo/checklists.py, CLOCKS).
    op.execute(
        "UPDATE teams SET adults_only = TRUE WHERE id IN (SELECT team_id FROM checklist_items"
        " WHERE label = 'Är över 18 år')"
    )
    op.execute(
        "UPDATE teams SET register_check_days = 30 WHERE id IN (SELECT team_id FROM"
        " checklist_items WHERE label = 'Lever i en kriminell kontext')"
    )
    op.create_table(
        "case_clock_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("sealed_reason", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_clock_exceptions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_clock_exceptions_recorded_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_clock_exceptions")),
    )
    with op.batch_alter_table("case_clock_exceptions") as batch:
        batch.create_index(batch.f("ix_case_clock_exceptions_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_clock_exceptions") as batch:
        batch.drop_index(batch.f("ix_case_clock_exceptions_case_id"))
    op.drop_table("case_clock_exceptions")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("adults_only")
        batch.drop_column("register_check_days")
        batch.drop_column("mapping_max_days")
        batch.drop_column("mapping_min_days")
