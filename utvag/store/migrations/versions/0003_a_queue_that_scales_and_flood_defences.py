"""a queue that scales and flood defences

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:19:19.563739
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spent_proofs",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_spent_proofs")),
    )
    with op.batch_alter_table("spent_proofs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spent_proofs_expires_at"), ["expires_at"], unique=False
        )

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_due_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("unseen_follow_up_at", UTCDateTime(), nullable=True))
    # What the queue sorts on, for the contacts already there: the due time of
    # the open ones, and when the oldest unopened follow-up came.
    op.execute(
        "UPDATE contacts SET queue_due_at = due_at"
        " WHERE status IN ('received', 'waiting', 'reached')"
    )
    op.execute(
        "UPDATE contacts SET unseen_follow_up_at = (SELECT min(m.created_at)"
        " FROM contact_messages m WHERE m.contact_id = contacts.id"
        " AND m.direction = 'from_person' AND m.seen_at IS NULL)"
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_queue", ["team_id", "wants_callback", "queue_due_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_team_id_closed_at", ["team_id", "closed_at"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_team_id_status_id", ["team_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_team_id_unseen_follow_up_at",
            ["team_id", "unseen_follow_up_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_team_id_unseen_follow_up_at")
        batch_op.drop_index("ix_contacts_team_id_status_id")
        batch_op.drop_index("ix_contacts_team_id_closed_at")
        batch_op.drop_index("ix_contacts_queue")
        batch_op.drop_column("unseen_follow_up_at")
        batch_op.drop_column("queue_due_at")

    with op.batch_alter_table("spent_proofs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spent_proofs_expires_at"))

    op.drop_table("spent_proofs")
