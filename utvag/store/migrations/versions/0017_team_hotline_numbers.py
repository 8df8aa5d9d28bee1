"""team hotline numbers

Revision ID: 0017
Revises: 0010
Create Date: 2026-12-06 19:00:00

Each Twilio number belongs to one team: the team's own hotline number
(E.164), unique across the install. An incoming call's ``To`` picks the
team whose greeting, hours, duty phone and answering machine answer it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("hotline_number", sa.String(length=40), nullable=True))
        batch.create_unique_constraint("uq_teams_hotline_number", ["hotline_number"])


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_constraint("uq_teams_hotline_number", type_="unique")
        batch.drop_column("hotline_number")
