"""The JSON shape of a run for the API and the CLI (one function, so both always agree)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vibeflow.runs.events import describe_exit
from vibeflow.store.models_runs import Run


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def run_summary(run: Run) -> dict[str, Any]:
    elapsed = None
    if run.started_at:
        end = _aware(run.finished_at) if run.finished_at else datetime.now(UTC)
        elapsed = max(0.0, (end - _aware(run.started_at)).total_seconds())
    progress = None
    if run.step is not None and run.total_steps:
        progress = min(1.0, run.step / run.total_steps)
    return {
        "id": run.id,
        "name": run.name,
        "status": run.status,
        "stage": run.stage,
        "method": run.method,
        "preset": run.preset,
        "base_model": run.base_model,
        "parent_id": run.parent_id,
        "relation": run.relation,
        "attempts": run.attempts,
        "created_at": _iso(run.created_at),
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "elapsed_seconds": elapsed,
        "step": run.step,
        "total_steps": run.total_steps,
        "progress": progress,
        "epoch": run.epoch,
        "loss": run.loss,
        "eval_loss": run.eval_loss,
        "tokens_per_second": run.tokens_per_second,
        "samples_per_second": run.samples_per_second,
        "eta_seconds": run.eta_seconds if run.status == "running" else None,
        "checkpoint": {"step": run.checkpoint_step, "path": run.checkpoint_path}
        if run.checkpoint_path
        else None,
        "adapter_path": run.adapter_path,
        "output_dir": run.output_dir,
        "pid": run.pid,
        "exit_code": run.exit_code,
        "exit": describe_exit(run.exit_code) if run.exit_code is not None else None,
        "error": run.error,
        "dataset": {
            "train_version_id": run.train_version_id,
            "test_version_id": run.test_version_id,
            "hash": run.dataset_hash,
        },
        "adjustments": run.adjustments or None,
        "last_event_seq": run.event_seq,
    }


def run_detail(run: Run) -> dict[str, Any]:
    return {**run_summary(run), "recipe": run.recipe, "recipe_path": run.recipe_path, "spec": run.spec}
