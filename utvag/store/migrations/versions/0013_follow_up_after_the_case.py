"""follow-up after the case: partner meetings, outcome checks

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-06 18:40:00

Partner meetings (avstämningsmöte) on a case: the day, the roles there and
the outcome in clear, what was said sealed. Outcome checks 6, 12 and 24
months after a case closed: four yes/no/unknown answers, nothing typed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0010"
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


def downgrade() -> None:
    with op.batch_alter_table("case_outcome_checks") as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_outcome_checks_case_id"))
    op.drop_table("case_outcome_checks")
    with op.batch_alter_table("case_partner_meetings") as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_partner_meetings_case_id"))
    op.drop_table("case_partner_meetings")
