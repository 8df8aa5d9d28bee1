"""hours with exceptions; content-free staff notices

Hours with exceptions: closures over several days with a reason, extra open days.

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-06 18:40:00

A closed day becomes a closure from ``day`` to ``last_day`` (the same day
for every closed day kept so far) with a reason kind; a team may also open
on a day outside its weekly hours (``extra_open_days``).

Staff notices: the team's notice times, a member's notice phone (opt-in),
each scheduled time decided once (``notice_rounds``) and each SMS with how
far sending it has come (``staff_notices``).
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

from utvag.store.db import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("closed_days") as batch:
        batch.add_column(sa.Column("last_day", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("reason", sa.String(length=20), server_default="annat", nullable=False)
        )
    op.execute("UPDATE closed_days SET last_day = day")
    with op.batch_alter_table("closed_days") as batch:
        batch.alter_column("last_day", existing_type=sa.Date(), nullable=False)

    op.create_table(
        "extra_open_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_extra_open_days_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extra_open_days")),
        sa.UniqueConstraint("team_id", "day", name=op.f("uq_extra_open_days_team_id")),
    )
    with op.batch_alter_table("extra_open_days") as batch:
        batch.create_index(batch.f("ix_extra_open_days_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("teams") as batch:
        batch.add_column(
            sa.Column(
                "notice_times",
                sa.String(length=100),
                server_default="öppning, 12:00",
                nullable=False,
            )
        )
    with op.batch_alter_table("staff_members") as batch:
        batch.add_column(sa.Column("notice_phone", sa.String(length=40), nullable=True))
    op.create_table(
        "notice_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("slot_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_notice_rounds_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_rounds")),
        sa.UniqueConstraint("team_id", "slot_at", name=op.f("uq_notice_rounds_team_id")),
    )
    with op.batch_alter_table("notice_rounds") as batch:
        batch.create_index(batch.f("ix_notice_rounds_team_id"), ["team_id"], unique=False)
    op.create_table(
        "staff_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("slot_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("send_started_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("locked_message_sid", sa.String(length=200), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_staff_notices_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_members.id"],
            name=op.f("fk_staff_notices_staff_id_staff_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_notices")),
        sa.UniqueConstraint("staff_id", "slot_at", name=op.f("uq_staff_notices_staff_id")),
    )
    with op.batch_alter_table("staff_notices") as batch:
        batch.create_index(batch.f("ix_staff_notices_team_id"), ["team_id"], unique=False)
        batch.create_index(batch.f("ix_staff_notices_done_at"), ["done_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_notices") as batch:
        batch.drop_index(batch.f("ix_staff_notices_done_at"))
        batch.drop_index(batch.f("ix_staff_notices_team_id"))
    op.drop_table("staff_notices")
    with op.batch_alter_table("notice_rounds") as batch:
        batch.drop_index(batch.f("ix_notice_rounds_team_id"))
    op.drop_table("notice_rounds")
    with op.batch_alter_table("staff_members") as batch:
        batch.drop_column("notice_phone")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("notice_times")
    with op.batch_alter_table("extra_open_days") as batch:
        batch.drop_index(batch.f("ix_extra_open_days_team_id"))
    op.drop_table("extra_open_days")
    # A closure over several days goes back to one closed day per day (the
    # older schema's way to say it); its reason is lost, its note kept.
    connection = op.get_bind()
    runs = connection.execute(
        sa.text("SELECT team_id, day, last_day, note FROM closed_days WHERE last_day > day")
    ).all()
    for team_id, first, last, note in runs:
        first_day, last_day = _as_date(first), _as_date(last)
        for offset in range(1, (last_day - first_day).days + 1):
            connection.execute(
                sa.text(
                    "INSERT INTO closed_days (team_id, day, last_day, note) "
                    "VALUES (:team_id, :day, :day, :note)"
                ),
                {"team_id": team_id, "day": first_day + timedelta(days=offset), "note": note},
            )
    with op.batch_alter_table("closed_days") as batch:
        batch.drop_column("reason")
        batch.drop_column("last_day")


def _as_date(value: date | str) -> date:
    """SQLite hands a DATE back as text through a plain statement."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
