"""Side-by-side comparison of 2-3 base models under the same settings, every figure from the estimator.

Each row re-estimates the recommended configuration with another base model (same device, method, batch,
epochs and data), so the user sees what a bigger or smaller model costs in memory, time and money.
"""

from __future__ import annotations

from typing import Any

from vibeflow.errors import VibeFlowError
from vibeflow.recommend.catalog import find_gpu, find_model
from vibeflow.recommend.errors import InvalidRequestError
from vibeflow.recommend.estimator import estimate
from vibeflow.recommend.schemas import Estimate, EstimateRequest, Recommendation

MAX_MODELS = 3


def _targets(model_targets: list[str], base: EstimateRequest, base_targets: list[str]) -> list[str] | str:
    """Same targeting style as the base recommendation: all linear layers, or attention only."""
    chosen = base.lora_target_modules
    if isinstance(chosen, str):
        return chosen
    if set(chosen) >= set(base_targets):  # every linear layer of the base model
        return list(model_targets)
    attention = [m for m in model_targets if m in ("q_proj", "v_proj", "qkv_proj")]
    return attention or list(model_targets)


def row(est: Estimate, note: str = "") -> dict[str, Any]:
    model = find_model(est.model)
    chosen = est.cost.chosen
    fit = next((f for f in est.memory.fits if f.device == est.device), None)
    return {
        "base_model": model.id,
        "model_name": model.name,
        "hf_id": model.hf_id,
        "params_b": model.params_b,
        "license": model.license,
        "commercial_use": model.commercial_use,
        "context_length": model.context_length,
        "good_for": model.good_for,
        "method": est.request.method,
        "device": est.device,
        "memory_gb": round(est.memory.total_gb, 1),
        "memory_status": fit.status if fit else ("ok" if est.memory.total_gb else "no"),
        "fits": bool(fit.fits) if fit else True,
        "time_s": round(est.time.seconds),
        "time_human": est.time.human,
        "cost_usd": round(chosen.compute_usd, 2) if chosen else 0.0,
        "cost_low_usd": round(chosen.low_usd, 2) if chosen else 0.0,
        "cost_high_usd": round(chosen.high_usd, 2) if chosen else 0.0,
        "cost_tier": chosen.tier if chosen else "local",
        "confidence": est.confidence.level,
        "note": note,
    }


def compare_models(rec: Recommendation, models: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows for the recommended model and up to two others (its alternatives when `models` is empty)."""
    base = rec.estimate.request
    base_model = find_model(rec.base_model)
    names = [m for m in (models or []) if str(m).strip()]
    if not names:
        names = [rec.base_model] + [a.base_model for a in rec.alternatives]
    wanted: list[str] = []
    for name in names:
        spec = find_model(str(name))  # UnknownModelError (with the catalog ids) for a typo
        if spec.id not in wanted:
            wanted.append(spec.id)
    if rec.base_model not in wanted:
        wanted.insert(0, rec.base_model)
    if len(wanted) < 2:
        raise InvalidRequestError(
            "a comparison needs at least two different models",
            fix="name one or two other models, e.g. qwen2.5-1.5b or llama-3.2-3b (`vibeflow catalog models`)",
        )
    rows = []
    device = find_gpu(base.device)
    for model_id in wanted[:MAX_MODELS]:
        spec = find_model(model_id)
        if model_id == rec.base_model:
            rows.append(row(rec.estimate, "recommended"))
            continue
        change: dict[str, Any] = {
            "base_model": spec.id,
            "model_params_b": None,
            "lora_target_modules": _targets(spec.lora_target_modules, base, base_model.lora_target_modules),
            "max_seq_length": min(base.max_seq_length, spec.context_length),
        }
        note = ""
        try:
            est = estimate(base.model_copy(update=change))
            fits = next((f for f in est.memory.fits if f.device == est.device), None)
            if fits is not None and not fits.fits and base.method == "lora" and device.cuda:
                est = estimate(base.model_copy(update={**change, "method": "qlora"}))
                note = "LoRA does not fit this GPU: shown with QLoRA"
        except VibeFlowError as error:
            rows.append(
                {"base_model": spec.id, "model_name": spec.name, "error": error.message, "fix": error.fix}
            )
            continue
        rows.append(row(est, note))
    return rows
