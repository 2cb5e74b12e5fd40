"""ORM models of training runs, their journaled events and their metric curves (see migration 0002).

Events keep two sequence numbers: `seq` is the store's per-run cursor (every event, trainer or backend, in
arrival order; clients page with it), `source_seq` is the trainer's own `seq` — the idempotency key that
lets stdout following and the events.jsonl re-sync insert the same event at most once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vibeflow.store.models import Base, DatasetVersion, Project, utcnow

RUN_STATUSES = ("queued", "running", "completed", "failed", "stopped", "orphaned")
ACTIVE_STATUSES = ("queued", "running")
TERMINAL_STATUSES = ("completed", "failed", "stopped", "orphaned")


class Run(Base):
    """One training run of a recipe: its frozen recipe and spec, process, progress and outcome."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(16))
    preset: Mapped[str] = mapped_column(String(16))
    base_model: Mapped[str] = mapped_column(String(400))
    recipe: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipe_path: Mapped[str | None] = mapped_column(String(4096))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    train_version_id: Mapped[int | None] = mapped_column(ForeignKey("dataset_versions.id"))
    test_version_id: Mapped[int | None] = mapped_column(ForeignKey("dataset_versions.id"))
    dataset_hash: Mapped[str | None] = mapped_column(String(64))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id"), index=True)
    relation: Mapped[str | None] = mapped_column(String(16))  # retry | rerun
    adjustments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    output_dir: Mapped[str] = mapped_column(String(4096))
    pid: Mapped[int | None] = mapped_column(Integer)
    owner_pid: Mapped[int | None] = mapped_column(Integer)  # the backend process following this run
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # highest trainer seq ingested
    event_seq: Mapped[int] = mapped_column(Integer, default=0)  # highest store seq handed out
    journal_offset: Mapped[int] = mapped_column(Integer, default=0)  # bytes of events.jsonl already read
    step: Mapped[int | None] = mapped_column(Integer)
    total_steps: Mapped[int | None] = mapped_column(Integer)
    epoch: Mapped[float | None] = mapped_column(Float)
    loss: Mapped[float | None] = mapped_column(Float)
    eval_loss: Mapped[float | None] = mapped_column(Float)
    tokens_per_second: Mapped[float | None] = mapped_column(Float)
    samples_per_second: Mapped[float | None] = mapped_column(Float)
    eta_seconds: Mapped[float | None] = mapped_column(Float)
    checkpoint_step: Mapped[int | None] = mapped_column(Integer)
    checkpoint_path: Mapped[str | None] = mapped_column(String(4096))
    adapter_path: Mapped[str | None] = mapped_column(String(4096))

    project: Mapped[Project] = relationship()
    train_version: Mapped[DatasetVersion | None] = relationship(foreign_keys=[train_version_id])
    test_version: Mapped[DatasetVersion | None] = relationship(foreign_keys=[test_version_id])

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class RunEvent(Base):
    """One journaled event of a run: a trainer event (stage, metrics, checkpoint, …) or a backend one (alert)."""

    __tablename__ = "run_events"
    __table_args__ = (
        UniqueConstraint("run_id", "seq", name="uq_run_events_seq"),
        UniqueConstraint("run_id", "source", "source_seq", name="uq_run_events_source_seq"),
        Index("ix_run_events_run_type_seq", "run_id", "type", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(8))  # trainer | backend
    source_seq: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    ts: Mapped[float] = mapped_column(Float)  # unix seconds
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RunMetric(Base):
    """One point of one curve (loss, eval_loss, learning_rate, grad_norm, …); the key serves curve queries."""

    __tablename__ = "run_metrics"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)  # None stores NaN/inf (JSON and SQL lack them)
    ts: Mapped[float] = mapped_column(Float)
