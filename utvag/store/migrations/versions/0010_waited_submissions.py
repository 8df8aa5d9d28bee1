"""waited submissions: kept through a flood

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 15:00:00

A submission sent after the public form's no-JavaScript wait is marked, so
the unverified list's eviction (oldest junk first, past its cap) never
touches it. The new status ``evicted`` needs no change to the schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("waited", sa.Boolean(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("waited")
