"""nudges: follow-ups on pathway steps and check-ins on quiet pairings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("cohort", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_nudges_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
    )
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nudges_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nudges_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_nudges_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudges_status"))
        batch_op.drop_index(batch_op.f("ix_nudges_sent_at"))
        batch_op.drop_index(batch_op.f("ix_nudges_participant_id"))
    op.drop_table("nudges")
