"""voice messages, answered calls, a member's own phone

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00

The hotline's answering machine: a message's audio, sealed to the team key
by the worker after it fetched it from Twilio (and before it deleted it
there). And the forwarded calls a duty phone took after the screening
whisper (an HMAC of the call id only), so the caller's leg knows. And a
member's own phone, sealed to the team key, for calling through the
hotline's number.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("sealed_audio", sa.LargeBinary(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("recording_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_voice_messages_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_messages")),
        sa.UniqueConstraint("recording_digest", name=op.f("uq_voice_messages_recording_digest")),
    )
    op.create_table(
        "answered_calls",
        sa.Column("call_digest", sa.String(length=64), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("call_digest", name=op.f("pk_answered_calls")),
    )
    with op.batch_alter_table("answered_calls") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answered_calls_answered_at"), ["answered_at"], unique=False
        )
    with op.batch_alter_table("voice_messages") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_messages_contact_id"), ["contact_id"], unique=False
        )

    with op.batch_alter_table("staff_members") as batch_op:
        batch_op.add_column(sa.Column("sealed_phone", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_members") as batch_op:
        batch_op.drop_column("sealed_phone")
    op.drop_table("answered_calls")
    op.drop_table("voice_messages")
