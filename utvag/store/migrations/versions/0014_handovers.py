"""hand-over of a contact to another team on the install

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-06 18:40:00

A contact, and its case, may move to another team with the person's
consent: everything sealed is re-sealed to the receiving team's key and the
rows change team. This table keeps the content-free line of it (which
teams, when, the day of consent, who), for both teams' views.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("from_team_id", sa.Integer(), nullable=True),
        sa.Column("to_team_id", sa.Integer(), nullable=True),
        sa.Column("from_team_name", sa.String(length=200), nullable=False),
        sa.Column("to_team_name", sa.String(length=200), nullable=False),
        sa.Column("consent_given_on", sa.Date(), nullable=False),
        sa.Column("handed_over_by_id", sa.Integer(), nullable=True),
        sa.Column("handed_over_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_handovers_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_team_id"],
            ["teams.id"],
            name=op.f("fk_handovers_from_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_team_id"],
            ["teams.id"],
            name=op.f("fk_handovers_to_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["handed_over_by_id"],
            ["staff_members.id"],
            name=op.f("fk_handovers_handed_over_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
    )
    with op.batch_alter_table("handovers") as batch_op:
        batch_op.create_index(batch_op.f("ix_handovers_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_handovers_from_team_id"), ["from_team_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_handovers_to_team_id"), ["to_team_id"], unique=False)


def downgrade() -> None:
    op.drop_table("handovers")
