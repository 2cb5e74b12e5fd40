"""ORM models of evaluations of a tuned model against its base, and their per-example results (migration 0004)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vibeflow.store.models import Base, utcnow

EVAL_STATUSES = ("queued", "running", "completed", "failed")
EVAL_ACTIVE = ("queued", "running")


class Evaluation(Base):
    """One evaluation of a run: options, progress, outcome, and the computed summary and metric table."""

    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_run_created", "run_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[str | None] = mapped_column(String(32))
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual | auto
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    output_dir: Mapped[str] = mapped_column(String(4096))
    pid: Mapped[int | None] = mapped_column(Integer)
    owner_pid: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overall_base: Mapped[float | None] = mapped_column(Float)
    overall_tuned: Mapped[float | None] = mapped_column(Float)
    gate: Mapped[str | None] = mapped_column(String(16))  # ready | review | retrain
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class EvaluationExample(Base):
    """One held-out example: prompt, reference, both models' outputs, their scores and judge verdicts."""

    __tablename__ = "evaluation_examples"
    __table_args__ = (UniqueConstraint("evaluation_id", "idx", name="uq_evaluation_examples_idx"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    row: Mapped[int | None] = mapped_column(Integer)
    prompt: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reference: Mapped[str] = mapped_column(Text, default="")
    base_output: Mapped[str] = mapped_column(Text, default="")
    tuned_output: Mapped[str] = mapped_column(Text, default="")
    base_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tuned_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    judge: Mapped[dict[str, Any] | None] = mapped_column(JSON)
