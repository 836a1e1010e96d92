"""feedback reasons, and the platform ids of messages that carried an answer (reactions as votes)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=32), nullable=True))

    op.create_table(
        "sent_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("answer_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answers.id"], name=op.f("fk_sent_answers_answer_id_answers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_answers")),
        sa.UniqueConstraint("channel", "message_id", name=op.f("uq_sent_answers_channel")),
    )
    with op.batch_alter_table("sent_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_answers_answer_id"), ["answer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sent_answers_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sent_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_answers_created_at"))
        batch_op.drop_index(batch_op.f("ix_sent_answers_answer_id"))
    op.drop_table("sent_answers")

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("reason")
