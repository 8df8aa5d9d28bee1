"""team facts version

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 19:50:00

A counter on the team row that changes with the active key and the closed
days, so the public site can keep them between submissions and never serve
stale ones.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(
            sa.Column("facts_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("facts_version")
