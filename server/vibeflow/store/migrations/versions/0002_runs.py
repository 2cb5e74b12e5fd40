"""Training runs, their journaled events and metric curves.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(32)),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("preset", sa.String(16), nullable=False),
        sa.Column("base_model", sa.String(400), nullable=False),
        sa.Column("recipe", sa.JSON(), nullable=False),
        sa.Column("recipe_path", sa.String(4096)),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("train_version_id", sa.Integer(), sa.ForeignKey("dataset_versions.id")),
        sa.Column("test_version_id", sa.Integer(), sa.ForeignKey("dataset_versions.id")),
        sa.Column("dataset_hash", sa.String(64)),
        sa.Column("parent_id", sa.String(32), sa.ForeignKey("runs.id"), index=True),
        sa.Column("relation", sa.String(16)),
        sa.Column("adjustments", sa.JSON(), nullable=False),
        sa.Column("output_dir", sa.String(4096), nullable=False),
        sa.Column("pid", sa.Integer()),
        sa.Column("owner_pid", sa.Integer()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("stop_requested", sa.Boolean(), nullable=False),
        sa.Column("exit_code", sa.Integer()),
        sa.Column("error", sa.JSON()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("journal_offset", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer()),
        sa.Column("total_steps", sa.Integer()),
        sa.Column("epoch", sa.Float()),
        sa.Column("loss", sa.Float()),
        sa.Column("eval_loss", sa.Float()),
        sa.Column("tokens_per_second", sa.Float()),
        sa.Column("samples_per_second", sa.Float()),
        sa.Column("eta_seconds", sa.Float()),
        sa.Column("checkpoint_step", sa.Integer()),
        sa.Column("checkpoint_path", sa.String(4096)),
        sa.Column("adapter_path", sa.String(4096)),
    )
    op.create_index("ix_runs_status_created", "runs", ["status", "created_at"])
    op.create_table(
        "run_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("source_seq", sa.Integer()),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.UniqueConstraint("run_id", "seq", name="uq_run_events_seq"),
        sa.UniqueConstraint("run_id", "source", "source_seq", name="uq_run_events_source_seq"),
    )
    op.create_index("ix_run_events_run_type_seq", "run_events", ["run_id", "type", "seq"])
    op.create_table(
        "run_metrics",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("step", sa.Integer(), primary_key=True),
        sa.Column("value", sa.Float()),
        sa.Column("ts", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("run_metrics")
    op.drop_index("ix_run_events_run_type_seq", table_name="run_events")
    op.drop_table("run_events")
    op.drop_index("ix_runs_status_created", table_name="runs")
    op.drop_table("runs")
