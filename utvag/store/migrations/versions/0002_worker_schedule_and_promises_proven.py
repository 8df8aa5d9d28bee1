"""worker schedule and promises proven

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 15:56:26.753674
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crypto.sealing import seal
from utvag.store.db import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maintenance_runs",
        sa.Column("task", sa.String(length=40), nullable=False),
        sa.Column("last_ok_at", UTCDateTime(), nullable=True),
        sa.Column("last_failed_at", UTCDateTime(), nullable=True),
        sa.Column("failures_in_a_row", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("task", name=op.f("pk_maintenance_runs")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_digest", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_contacts_call_digest"), ["call_digest"], unique=True)

    # TOTP secrets: sealed to each member's own public key, the clear column
    # dropped. Sealing needs only the public key, which is stored.
    with op.batch_alter_table("staff_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_totp_secret", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    members = sa.table(
        "staff_members",
        sa.column("id", sa.Integer),
        sa.column("public_key", sa.LargeBinary),
        sa.column("totp_secret", sa.String),
        sa.column("sealed_totp_secret", sa.LargeBinary),
    )
    for member_id, public_key, secret in connection.execute(
        sa.select(members.c.id, members.c.public_key, members.c.totp_secret)
    ).all():
        # A member without a key pair could never log in; an empty value
        # opens to nothing.
        sealed = seal(bytes(public_key), secret.encode("ascii")) if public_key else b""
        connection.execute(
            members.update().where(members.c.id == member_id).values(sealed_totp_secret=sealed)
        )
    with op.batch_alter_table("staff_members", schema=None) as batch_op:
        batch_op.alter_column("sealed_totp_secret", nullable=False)
        batch_op.drop_column("totp_secret")

    # A pending invitation's secret cannot be sealed here (its public key is
    # not stored); the new member is shown a fresh one at the first step.
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_totp_secret", sa.LargeBinary(), nullable=True))
        batch_op.drop_column("totp_secret")


def downgrade() -> None:
    raise RuntimeError(
        "0002 sealed the TOTP secrets; going back would need every member's password."
        " Restore a backup taken before the upgrade instead."
    )
