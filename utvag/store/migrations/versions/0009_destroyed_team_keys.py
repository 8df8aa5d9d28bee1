"""team keys can be destroyed (crypto-shredded)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00

When every row sealed to a retired team key has been re-sealed, the key can
be destroyed: its lock in the console's key store and every grant of it are
deleted. The row stays, with the time, so the console can say what happened
to envelopes that still name it (in older backups, say) and the key id is
never reused.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("team_keys") as batch:
        batch.add_column(sa.Column("destroyed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("team_keys") as batch:
        batch.drop_column("destroyed_at")
