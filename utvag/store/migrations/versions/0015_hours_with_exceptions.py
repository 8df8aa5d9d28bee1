"""hours with exceptions: closures over several days with a reason, extra open days

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-06 18:40:00

A closed day becomes a closure from ``day`` to ``last_day`` (the same day
for every closed day kept so far) with a reason kind; a team may also open
on a day outside its weekly hours (``extra_open_days``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("closed_days") as batch:
        batch.add_column(sa.Column("last_day", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("reason", sa.String(length=20), server_default="annat", nullable=False)
        )
    op.execute("UPDATE closed_days SET last_day = day")
    with op.batch_alter_table("closed_days") as batch:
        batch.alter_column("last_day", existing_type=sa.Date(), nullable=False)

    op.create_table(
        "extra_open_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_extra_open_days_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extra_open_days")),
        sa.UniqueConstraint("team_id", "day", name=op.f("uq_extra_open_days_team_id")),
    )
    with op.batch_alter_table("extra_open_days") as batch:
        batch.create_index(batch.f("ix_extra_open_days_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("extra_open_days") as batch:
        batch.drop_index(batch.f("ix_extra_open_days_team_id"))
    op.drop_table("extra_open_days")
    # A closure over several days goes back to being a closed first day:
    # the older schema has no way to say more, and the rest is the lead's
    # to enter again.
    with op.batch_alter_table("closed_days") as batch:
        batch.drop_column("reason")
        batch.drop_column("last_day")
