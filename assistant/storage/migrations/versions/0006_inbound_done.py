"""inbound message ids say whether the message was answered (a worker killed mid-way leaves it undone)

Revision ID: 0006
Revises: 0005_job_claims
Create Date: 2026-12-06 22:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005_job_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        # Rows from before were handled (their ids were only written once handling began): done.
        batch_op.add_column(sa.Column("done", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_column("done")
