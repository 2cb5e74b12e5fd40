"""Evaluations of tuned vs base models.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(32)),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("output_dir", sa.String(4096), nullable=False),
        sa.Column("pid", sa.Integer()),
        sa.Column("owner_pid", sa.Integer()),
        sa.Column("error", sa.JSON()),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("overall_base", sa.Float()),
        sa.Column("overall_tuned", sa.Float()),
        sa.Column("gate", sa.String(16)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_evaluations_run_created", "evaluations", ["run_id", "created_at"])
    op.create_table(
        "evaluation_examples",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "evaluation_id",
            sa.String(32),
            sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer()),
        sa.Column("prompt", sa.JSON(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("base_output", sa.Text(), nullable=False),
        sa.Column("tuned_output", sa.Text(), nullable=False),
        sa.Column("base_scores", sa.JSON(), nullable=False),
        sa.Column("tuned_scores", sa.JSON(), nullable=False),
        sa.Column("judge", sa.JSON()),
        sa.UniqueConstraint("evaluation_id", "idx", name="uq_evaluation_examples_idx"),
    )
    op.create_index("ix_evaluation_examples_evaluation_id", "evaluation_examples", ["evaluation_id"])


def downgrade() -> None:
    op.drop_index("ix_evaluation_examples_evaluation_id", table_name="evaluation_examples")
    op.drop_table("evaluation_examples")
    op.drop_index("ix_evaluations_run_created", table_name="evaluations")
    op.drop_table("evaluations")
