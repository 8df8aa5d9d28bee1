"""a region's public pages: listed teams, a regional team, each team's own words

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-06 18:40:00

A team chooses whether the region's start page lists it (``public_listing``:
hidden, direct or listed; hidden until the lead chooses), one team can be the
region's triage team (``regional``), and each team's public texts are kept as
versions, newest shown, never changed or deleted one by one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(
            sa.Column("public_listing", sa.String(10), server_default="hidden", nullable=False)
        )
        batch.add_column(sa.Column("regional", sa.Boolean(), server_default="0", nullable=False))
    op.create_table(
        "public_text_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(30), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_public_text_versions_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_text_versions")),
    )
    op.create_index(
        "ix_public_text_versions_current",
        "public_text_versions",
        ["team_id", "lang", "slot", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_public_text_versions_current", table_name="public_text_versions")
    op.drop_table("public_text_versions")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("regional")
        batch.drop_column("public_listing")
