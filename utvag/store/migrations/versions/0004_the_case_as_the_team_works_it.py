"""the case as the team works it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 17:11:25.036280
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_assessments_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_assessments_recorded_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assessments")),
    )
    with op.batch_alter_table("case_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_assessments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_consents_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_consents_recorded_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_consents")),
    )
    with op.batch_alter_table("case_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_consents_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("sealed_notes", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_meetings_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_meetings_recorded_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_meetings")),
    )
    with op.batch_alter_table("case_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_meetings_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_register_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("relapse", sa.Boolean(), nullable=False),
        sa.Column("sealed_note", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_register_checks_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_members.id"],
            name=op.f("fk_case_register_checks_recorded_by_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_register_checks")),
    )
    with op.batch_alter_table("case_register_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_register_checks_case_id"), ["case_id"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("police_meeting_held", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "police_meeting_roles", sa.JSON(), server_default=sa.text("'[]'"), nullable=False
            )
        )
        batch_op.add_column(sa.Column("duty_to_report_told_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("contact_person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("mapping_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("mapping_done_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("criteria_confirmed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("close_reason", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("ended_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_contact_person_id_staff_members"),
            "staff_members",
            ["contact_person_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("under_18", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("acute_risk", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("taken_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_contacts_team_id_acute_risk", ["team_id", "acute_risk"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_team_id_created_at", ["team_id", "created_at"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contacts_taken_by_id_staff_members"),
            "staff_members",
            ["taken_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contacts_recorded_by_id_staff_members"),
            "staff_members",
            ["recorded_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mapping_days", sa.Integer(), server_default="28", nullable=False)
        )

    # A declined case ended when it was decided: retention counts from then.
    op.execute("UPDATE cases SET ended_at = decided_at WHERE status = 'declined'")
    # The consent criterion of the presets links to the consent record.
    op.execute(
        "UPDATE checklist_items SET kind = 'consent'"
        " WHERE lower(label) LIKE '%samtyck%' AND kind IS NULL"
    )


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("mapping_days")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_contacts_recorded_by_id_staff_members"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_contacts_taken_by_id_staff_members"), type_="foreignkey"
        )
        batch_op.drop_index("ix_contacts_team_id_created_at")
        batch_op.drop_index("ix_contacts_team_id_acute_risk")
        batch_op.drop_column("taken_by_id")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("acute_risk")
        batch_op.drop_column("under_18")
        batch_op.drop_column("language")

    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_cases_contact_person_id_staff_members"), type_="foreignkey"
        )
        batch_op.drop_column("ended_at")
        batch_op.drop_column("close_reason")
        batch_op.drop_column("closed_on")
        batch_op.drop_column("criteria_confirmed_at")
        batch_op.drop_column("mapping_done_on")
        batch_op.drop_column("mapping_due_on")
        batch_op.drop_column("contact_person_id")
        batch_op.drop_column("duty_to_report_told_on")
        batch_op.drop_column("police_meeting_roles")
        batch_op.drop_column("police_meeting_held")

    with op.batch_alter_table("case_register_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_register_checks_case_id"))

    op.drop_table("case_register_checks")
    with op.batch_alter_table("case_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_meetings_case_id"))

    op.drop_table("case_meetings")
    with op.batch_alter_table("case_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_consents_case_id"))

    op.drop_table("case_consents")
    with op.batch_alter_table("case_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_assessments_case_id"))

    op.drop_table("case_assessments")
    # ### end Alembic commands ###
