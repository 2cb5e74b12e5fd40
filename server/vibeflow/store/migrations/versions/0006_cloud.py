"""Cloud (SkyPilot) jobs of runs: chosen offer, recoveries and billed segments.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cloud_jobs",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("job_name", sa.String(200), nullable=False),
        sa.Column("job_id", sa.Integer()),
        sa.Column("task_path", sa.String(4096), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("cloud", sa.String(64)),
        sa.Column("region", sa.String(64)),
        sa.Column("instance_type", sa.String(128)),
        sa.Column("usd_per_hour", sa.Float()),
        sa.Column("interruptions", sa.Integer(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("fault", sa.JSON()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cloud_jobs")
