"""the case's path: the social services' decision, avhopparmedel, referrals out

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 18:40:00

The social services' investigation and decision on a case (Eskilstuna,
Göteborg: social services investigate and decide under SoL), with its reason
sealed to the team key; a per-member right to record that decision, and a
per-team rule that a case is accepted only after it. Teams made before this
keep the lead's accept as before until an admin turns the rule on.

Avhopparmedel, the police's support money, as a step of an accepted case:
applied (day, amount in whole kronor), then granted (day, amount) or refused
(day); a note sealed.

A referral to a service outside (hemmaplansvård, SIG, victim support, another
municipality's programme, other) from a contact or a case, with the person's
consent, its note sealed. The new statuses ``referred_out`` (of a contact and
of a case) need no change to the schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch_op:
        batch_op.add_column(
            sa.Column("decision_needs_decider", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("staff_members") as batch_op:
        batch_op.add_column(
            sa.Column("is_decider", sa.Boolean(), server_default="0", nullable=False)
        )
    op.create_table(
        "case_investigations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("sealed_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_investigations_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_investigations_opened_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_investigations_decided_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_investigations")),
    )
    with op.batch_alter_table("case_investigations") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_investigations_case_id"), ["case_id"], unique=True
        )
    op.create_table(
        "case_funds_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("amount_applied_kr", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("amount_granted_kr", sa.Integer(), nullable=True),
        sa.Column("sealed_note", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_funds_applications_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_funds_applications_recorded_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_funds_applications_decided_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_funds_applications")),
    )
    with op.batch_alter_table("case_funds_applications") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_funds_applications_case_id"), ["case_id"], unique=False
        )
    op.create_table(
        "outside_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("sealed_note", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_outside_referrals_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_outside_referrals_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_outside_referrals_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_members.id"],
            name=op.f("fk_outside_referrals_recorded_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outside_referrals")),
    )
    with op.batch_alter_table("outside_referrals") as batch_op:
        batch_op.create_index(batch_op.f("ix_outside_referrals_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outside_referrals_contact_id"), ["contact_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("outside_referrals")
    op.drop_table("case_funds_applications")
    op.drop_table("case_investigations")
    with op.batch_alter_table("staff_members") as batch_op:
        batch_op.drop_column("is_decider")
    with op.batch_alter_table("teams") as batch_op:
        batch_op.drop_column("decision_needs_decider")
