"""kept team reports: a removed team's yearly figures, for the board

Revision ID: 0018
Revises: 0010
Create Date: 2026-12-06 19:00:00

`utvag team remove SLUG --keep-counts` keeps the team's yearly follow-up,
already suppressed and content-free, before every row of the team goes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kept_team_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_slug", sa.String(40), nullable=False),
        sa.Column("team_name", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("has_data", sa.Boolean(), nullable=False),
        sa.Column("kept_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("team_slug", "year"),
    )


def downgrade() -> None:
    op.drop_table("kept_team_reports")
