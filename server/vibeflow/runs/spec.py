"""Recipe → run spec: the JSON the trainer reads (field names follow trainer/vibeflow_trainer/spec.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from vibeflow.recipe.model import Recipe
from vibeflow.recipe.presets import resolve_training

# Resolved hyperparameters passed to the trainer unchanged (same names on both sides).
SPEC_FIELDS = (
    "learning_rate",
    "num_epochs",
    "max_steps",
    "batch_size",
    "gradient_accumulation",
    "warmup_ratio",
    "weight_decay",
    "optimizer",
    "lr_scheduler",
    "max_grad_norm",
    "precision",
    "gradient_checkpointing",
    "max_seq_length",
    "seed",
    "checkpoint_every",
    "keep_checkpoints",
    "eval_every",
    "gradient_stats_every",
    "lora_r",
    "lora_alpha",
    "lora_dropout",
    "lora_target_modules",
)


def build_spec(
    recipe: Recipe,
    *,
    run_id: str,
    output_dir: Path,
    train_path: Path,
    eval_path: Path | None,
    dataset_hash: str | None,
) -> dict[str, Any]:
    """The complete run spec; None values are left out so the trainer applies its own defaults."""
    hyper = resolve_training(recipe)
    spec: dict[str, Any] = {
        "run_id": run_id,
        "base_model": recipe.base_model,
        "method": recipe.method,
        "train_path": str(train_path),
        "eval_path": str(eval_path) if eval_path else None,
        "output_dir": str(output_dir),
        "dataset_hash": dataset_hash,
        **{name: hyper.get(name) for name in SPEC_FIELDS},
    }
    if spec["max_steps"]:
        spec["num_epochs"] = None  # max_steps wins; keep the spec unambiguous
    return {key: value for key, value in spec.items() if value is not None}


def write_spec(spec: dict[str, Any], output_dir: Path) -> Path:
    """Write spec.json atomically into the run's output directory."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / "spec.json"
    staged = output_dir / ".spec.json.partial"
    staged.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    os.replace(staged, path)
    return path
