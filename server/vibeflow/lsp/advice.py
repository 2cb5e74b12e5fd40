"""What we recommend for a recipe's key hyperparameters, and why, given the method, dataset size and hardware.

Recommended values come from the recommender's rules (`vibeflow.recommend.rules`, the product tables) and
memory fit from its estimator, so the editor, the CLI and the brainstorm agent give the same numbers. When
that package cannot be imported, the presets (vibeflow.recipe.presets) are the recommendation and the
memory check is skipped rather than guessed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("vibeflow.lsp")

Path = tuple[str, ...]
LR = ("training", "learning_rate")
RANK = ("training", "lora", "r")
EPOCHS = ("training", "num_epochs")
BATCH = ("training", "batch_size")
ACCUM = ("training", "gradient_accumulation")

# Typical learning rates: LoRA/QLoRA spans the presets (1e-4..3e-4) and the product table (up to 5e-4);
# full fine-tuning is about ten times lower. "Far" means outside [low / FAR_FACTOR, high * FAR_FACTOR].
LORA_LR_RANGE = (1e-4, 5e-4)
FULL_LR_RANGE = (1e-5, 1e-4)
FAR_FACTOR = 3.0
# Most epochs before overfitting (small data) or wasted cost (large data): the top of the product table's
# band per dataset size (<1K: 5-10, 1K-10K: 3-5, 10K-100K: 1-2, 100K+: 1).
MAX_EPOCHS = ((1_000, 10.0), (10_000, 5.0), (100_000, 2.0))
MAX_EPOCHS_LARGE = 2.0


@dataclass
class FieldAdvice:
    path: Path
    recommended: Any
    low: float | None
    high: float | None
    why: str


@dataclass
class MemoryFit:
    device: str
    device_gb: float
    total_gb: float
    fits: bool
    status: str
    reason: str
    max_batch: int | None = None
    qlora_fits: bool | None = None
    bigger_gpu: str | None = None  # the smallest catalog GPU that fits as configured (cloud runs)


@dataclass
class RecipeAdvice:
    rows: int | None
    fields: dict[Path, FieldAdvice] = field(default_factory=dict)
    memory: MemoryFit | None = None
    estimate: Any = None
    model: Any = None  # the base model's catalog entry (or the one read from its folder's config.json)
    model_error: Any = None  # why the base model cannot be sized (a VibeFlowError with a fix), if it cannot


def max_epochs(rows: int) -> float:
    return next((most for limit, most in MAX_EPOCHS if rows < limit), MAX_EPOCHS_LARGE)


def _rules() -> Any:
    try:
        from vibeflow.recommend import rules

        return rules
    except Exception:  # noqa: BLE001 - recommender absent: fall back to the presets
        return None


def base_model(name: str) -> tuple[Any, Any]:
    """(catalog entry, None) for a model the estimator can size, else (None, the typed error saying why)."""
    try:
        from vibeflow.recommend.catalog import find_model

        return find_model(name), None
    except ImportError:  # recommender absent: nothing to say about the model
        return None, None
    except Exception as error:  # noqa: BLE001 - unknown model: rules that need its size are skipped
        return None, error


def _field_advice(
    recipe: Any, rows: int | None, preset: dict[str, Any], model: Any
) -> dict[Path, FieldAdvice]:
    rules = _rules()
    low, high = FULL_LR_RANGE if recipe.method == "full" else LORA_LR_RANGE
    out: dict[Path, FieldAdvice] = {}
    if rules is not None and model is not None and rows:
        lr, why = rules.learning_rate(rows, recipe.method, model)
    else:
        lr, why = preset["learning_rate"], f"the {recipe.preset} preset's value (dataset size unknown)"
    # The typical range always holds the recommendation, so the diagnostic's range and its quick fix agree.
    out[LR] = FieldAdvice(LR, lr, min(low, lr), max(high, lr), why)
    if recipe.method != "full":
        if rules is not None and rows:
            task = rules.classify_task(recipe.description or recipe.name)
            rank, why = rules.lora_rank(task.complexity, rows, "accuracy")
        else:
            rank, why = preset["lora_r"], f"the {recipe.preset} preset's value"
        out[RANK] = FieldAdvice(RANK, rank, rank / 2, rank * 2, why)
    if rules is not None and rows:
        epochs, why = rules.epochs(rows, "accuracy")
        out[EPOCHS] = FieldAdvice(EPOCHS, epochs, 1, max_epochs(rows), why)
    else:
        out[EPOCHS] = FieldAdvice(
            EPOCHS, preset["num_epochs"], 1, None, f"the {recipe.preset} preset's value"
        )
    return out


def _estimate(
    recipe: Any, stats: dict[str, Any], device: str, all_devices: bool = False, **overrides: Any
) -> Any:
    """The recommender's estimate for this recipe on `device` (None when it cannot be sized)."""
    try:
        from vibeflow.recommend.estimator import estimate
        from vibeflow.recommend.recipe_adapter import request_from_recipe

        request = request_from_recipe(recipe, stats=stats, device=device)
        if overrides:
            request = request.model_copy(update=overrides)
        return estimate(request, tips=False, all_devices_fit=all_devices)
    except Exception as error:  # noqa: BLE001 - an estimate is advice, never a reason to fail
        logger.info("estimate unavailable: %s", error)
        return None


def _fit(estimate: Any) -> Any:
    fits = getattr(getattr(estimate, "memory", None), "fits", None) or []
    return fits[0] if fits else None


def memory_fit(
    recipe: Any, values: dict[str, Any], stats: dict[str, Any], device: str
) -> tuple[MemoryFit | None, Any]:
    """Does the chosen batch fit `device`? If not: the largest batch that does, and whether QLoRA would."""
    estimate = _estimate(recipe, stats, device)
    fit = _fit(estimate)
    if fit is None:
        return None, estimate
    result = MemoryFit(fit.device, fit.memory_gb, estimate.memory.total_gb, fit.fits, fit.status, fit.reason)
    if not fit.fits:
        batch = values["batch_size"]
        while batch > 1 and result.max_batch is None:
            batch //= 2
            smaller = _fit(_estimate(recipe, stats, device, batch_size=batch))
            if smaller is not None and smaller.fits:
                result.max_batch = batch
        if recipe.method == "lora":
            qlora = _fit(_estimate(recipe, stats, device, method="qlora"))
            result.qlora_fits = bool(qlora and qlora.fits)
        if recipe.compute.target == "cloud":
            wide = _estimate(recipe, stats, device, all_devices=True)
            fitting = [
                f
                for f in getattr(getattr(wide, "memory", None), "fits", None) or []
                if f.fits and f.device != "cpu"
            ]
            if fitting:
                result.bigger_gpu = min(fitting, key=lambda f: f.memory_gb).device
    return result, estimate


def advise(recipe: Any, values: dict[str, Any], stats: dict[str, Any] | None, device: str) -> RecipeAdvice:
    """Recommendations for `recipe` whose resolved hyperparameters are `values` (preset + overrides);
    `stats` holds rows and approximate token lengths of its data (None when unknown)."""
    from vibeflow.recipe.presets import preset_values

    rows = int(stats["rows"]) if stats and stats.get("rows") else None
    advice = RecipeAdvice(rows)
    advice.model, advice.model_error = base_model(recipe.base_model)
    advice.fields = _field_advice(recipe, rows, preset_values(recipe.preset, recipe.method), advice.model)
    if stats and rows:
        advice.memory, advice.estimate = memory_fit(recipe, values, stats, device)
    if advice.memory is not None:
        fit = advice.memory
        best = fit.max_batch if not fit.fits and fit.max_batch else values["batch_size"]
        why = f"peak memory {fit.total_gb:.1f} GB on {fit.device} ({fit.device_gb:g} GB): {fit.reason}"
        advice.fields[BATCH] = FieldAdvice(BATCH, best, 1, best, why)
    return advice
