"""follow-up after the case: partner meetings, outcome checks, retention records

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-06 18:40:00

Partner meetings (avstämningsmöte) on a case: the day, the roles there and
the outcome in clear, what was said sealed. Outcome checks 6, 12 and 24
months after a case closed: four yes/no/unknown answers, nothing typed.
What a retention purge deleted, as a record with no id and nothing sealed,
and a lead's reasoned "keep longer" for a case (the reason sealed).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _case_and_recorder(table: str) -> list[sa.Column[int] | sa.Constraint]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f(f"fk_{table}_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_members.id"],
            name=op.f(f"fk_{table}_recorded_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "case_partner_meetings",
        *_case_and_recorder("case_partner_meetings"),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("sealed_notes", sa.LargeBinary(), nullable=True),
    )
    with op.batch_alter_table("case_partner_meetings") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_partner_meetings_case_id"), ["case_id"], unique=False
        )
    op.create_table(
        "case_outcome_checks",
        *_case_and_recorder("case_outcome_checks"),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("left_group", sa.String(length=10), nullable=False),
        sa.Column("no_new_sanction", sa.String(length=10), nullable=False),
        sa.Column("housing", sa.String(length=10), nullable=False),
        sa.Column("work_or_studies", sa.String(length=10), nullable=False),
        sa.UniqueConstraint("case_id", "months", name=op.f("uq_case_outcome_checks_case_id")),
    )
    with op.batch_alter_table("case_outcome_checks") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_outcome_checks_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "retention_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("came_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("purged_on", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("kept_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_retention_records_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_records")),
    )
    with op.batch_alter_table("retention_records") as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_records_team_id"), ["team_id"], unique=False)
    op.create_table(
        "case_retention_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("keep_until", sa.Date(), nullable=False),
        sa.Column("sealed_reason", sa.LargeBinary(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_retention_extensions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_retention_extensions_decided_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_retention_extensions")),
    )
    with op.batch_alter_table("case_retention_extensions") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_retention_extensions_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_retention_extensions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_retention_extensions_case_id"))
    op.drop_table("case_retention_extensions")
    with op.batch_alter_table("retention_records") as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_records_team_id"))
    op.drop_table("retention_records")
    with op.batch_alter_table("case_outcome_checks") as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_outcome_checks_case_id"))
    op.drop_table("case_outcome_checks")
    with op.batch_alter_table("case_partner_meetings") as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_partner_meetings_case_id"))
    op.drop_table("case_partner_meetings")
