"""which number a person may be called from; their code on a keypad

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:00:00

The person chooses whether we may call from the hotline's own number or
only from a number that names nothing (the default, and what every contact
made before this gets: nobody was asked, so the safe choice stands). The
number that names nothing offers its menu only to a caller who types their
receipt code on the keypad: an HMAC of that keypad form finds the contact.
Contacts made before this have none and can only be found on the website.
Staff may change the choice only with a reason, sealed to the team key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.add_column(
            sa.Column("call_from", sa.String(length=10), server_default="neutral", nullable=False)
        )
        batch_op.add_column(sa.Column("keypad_digest", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_contacts_keypad_digest"), ["keypad_digest"], unique=False
        )
    op.create_table(
        "call_from_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("staff_member_id", sa.Integer(), nullable=True),
        sa.Column("from_choice", sa.String(length=10), nullable=False),
        sa.Column("to_choice", sa.String(length=10), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("sealed_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_call_from_changes_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_call_from_changes_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_members.id"],
            name=op.f("fk_call_from_changes_staff_member_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_from_changes")),
    )
    with op.batch_alter_table("call_from_changes") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_from_changes_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_call_from_changes_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    op.drop_table("call_from_changes")
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_index("ix_contacts_keypad_digest")
        batch_op.drop_column("keypad_digest")
        batch_op.drop_column("call_from")
