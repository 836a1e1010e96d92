"""merge the three revisions written beside each other on 0004: job claims (issue 19), security (issue 19)
and inbound ids done (issue 25); nothing to change, one head again

Revision ID: 0006_merge
Revises: 0005_job_claims, 0005_security, 0005_inbound_done
Create Date: 2026-12-06 22:55:00
"""

revision = "0006_merge"
down_revision = ("0005_job_claims", "0005_security", "0005_inbound_done")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
