"""security: rate-limit counters, console sessions, gap groups (vectors stored once), inbound owners

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    op.create_index(op.f("ix_rate_limits_expires_at"), "rate_limits", ["expires_at"], unique=False)
    op.create_table(
        "staff_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"], ["staff_tokens.id"], name=op.f("fk_staff_sessions_token_id_staff_tokens"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_staff_sessions")),
    )
    op.create_index(op.f("ix_staff_sessions_token_id"), "staff_sessions", ["token_id"], unique=False)
    op.create_index(op.f("ix_staff_sessions_expires_at"), "staff_sessions", ["expires_at"], unique=False)
    op.create_table(
        "gap_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gap_groups")),
    )
    op.create_index(op.f("ix_gap_groups_model"), "gap_groups", ["model"], unique=False)
    with op.batch_alter_table("content_gaps") as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("vector", sa.LargeBinary(), nullable=True))
        batch_op.create_index(batch_op.f("ix_content_gaps_group_id"), ["group_id"], unique=False)
    with op.batch_alter_table("inbound_messages") as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_inbound_messages_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_messages_owner"))
        batch_op.drop_column("owner")
    with op.batch_alter_table("content_gaps") as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_gaps_group_id"))
        batch_op.drop_column("vector")
        batch_op.drop_column("group_id")
    op.drop_index(op.f("ix_gap_groups_model"), table_name="gap_groups")
    op.drop_table("gap_groups")
    op.drop_index(op.f("ix_staff_sessions_expires_at"), table_name="staff_sessions")
    op.drop_index(op.f("ix_staff_sessions_token_id"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_index(op.f("ix_rate_limits_expires_at"), table_name="rate_limits")
    op.drop_table("rate_limits")
