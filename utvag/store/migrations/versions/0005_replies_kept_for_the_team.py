"""replies kept for the team

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 19:20:00

A staff reply is sealed to the person's reply key and, from now on, a copy
to the team key, so colleagues can read what was promised.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_messages") as batch:
        batch.add_column(sa.Column("sealed_for_team", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contact_messages") as batch:
        batch.drop_column("sealed_for_team")
