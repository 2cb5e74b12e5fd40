"""The three hyperparameter presets users pick from, and the merge of a recipe's overrides over its preset.

Values follow the product documents: conservative r=8 / lr 1e-4 / 2 epochs, balanced r=16 / lr 2e-4 /
3 epochs, aggressive r=32 / lr 3e-4 / 4 epochs; alpha = 2 x rank; the effective batch stays 8 (smaller
per-device batches make up with gradient accumulation); checkpoints every 100 steps, 3 kept. Full
fine-tuning uses learning rates about ten times lower than LoRA.
"""

from __future__ import annotations

from typing import Any

from vibeflow.recipe.model import Recipe

COMMON: dict[str, Any] = {
    "weight_decay": 0.01,
    "optimizer": "adamw_torch",
    "lr_scheduler": "cosine",
    "max_grad_norm": 1.0,
    "gradient_checkpointing": "auto",
    "precision": "auto",
    "max_seq_length": 1024,
    "seed": 42,
    "lora_dropout": 0.05,
    "lora_target_modules": "auto",
    "checkpoint_every": 100,
    "keep_checkpoints": 3,
    "eval_every": None,
    "gradient_stats_every": 50,
}

PRESETS: dict[str, dict[str, Any]] = {
    "conservative": {
        **COMMON,
        "learning_rate": 1e-4,
        "num_epochs": 2,
        "batch_size": 2,
        "gradient_accumulation": 4,
        "warmup_ratio": 0.1,
        "lora_r": 8,
        "lora_alpha": 16,
    },
    "balanced": {
        **COMMON,
        "learning_rate": 2e-4,
        "num_epochs": 3,
        "batch_size": 4,
        "gradient_accumulation": 2,
        "warmup_ratio": 0.05,
        "lora_r": 16,
        "lora_alpha": 32,
    },
    "aggressive": {
        **COMMON,
        "learning_rate": 3e-4,
        "num_epochs": 4,
        "batch_size": 8,
        "gradient_accumulation": 1,
        "warmup_ratio": 0.03,
        "lora_r": 32,
        "lora_alpha": 64,
    },
}

FULL_FINETUNE_LR = {"conservative": 2e-5, "balanced": 5e-5, "aggressive": 1e-4}

PRESET_NOTES = {
    "conservative": "first run, high-quality data, lowest risk and cost",
    "balanced": "most use cases; proven default",
    "aggressive": "complex data or maximum quality; more capacity, higher overfitting risk and cost",
}


def preset_values(preset: str, method: str = "lora") -> dict[str, Any]:
    values = dict(PRESETS[preset])
    if method == "full":
        values["learning_rate"] = FULL_FINETUNE_LR[preset]
    return values


def resolve_training(recipe: Recipe) -> dict[str, Any]:
    """Flat, complete hyperparameters: the preset's values overridden by every field the recipe sets."""
    values = preset_values(recipe.preset, recipe.method)
    training = recipe.training.model_dump(exclude={"lora"}, exclude_none=True)
    values.update(training)
    lora = recipe.training.lora
    if lora.r is not None:
        values["lora_r"] = lora.r
        values["lora_alpha"] = 2 * lora.r  # keep the preset's alpha/rank ratio unless alpha is set too
    for field in ("alpha", "dropout", "target_modules"):
        value = getattr(lora, field)
        if value is not None:
            values[f"lora_{field}"] = value
    if "max_steps" not in values:
        values["max_steps"] = None
    return values
