"""Cost-saving tips, each computed by re-estimating the changed configuration (never a rule of thumb)."""

from __future__ import annotations

from typing import Any

from vibeflow.errors import VibeFlowError
from vibeflow.recommend.catalog import find_model, gpus, models
from vibeflow.recommend.errors import InvalidRequestError
from vibeflow.recommend.schemas import Estimate, Tip
from vibeflow.recommend.timing import human


def _value(estimate: Estimate) -> tuple[float, float]:
    chosen = estimate.cost.chosen
    return (chosen.compute_usd if chosen else 0.0), estimate.time.seconds


def _tip(
    base: Estimate, action: str, change: dict[str, Any], tradeoff: str, store: dict[str, Any]
) -> tuple[Tip, Estimate] | None:
    from vibeflow.recommend.estimator import estimate

    try:
        variant = estimate(base.request.model_copy(update=change), tips=False, store=store)
    except (VibeFlowError, ValueError):
        return None
    fit = next((f for f in variant.memory.fits if f.device == variant.device), None)
    if fit is None or not fit.fits:
        return None
    old_usd, old_s = _value(base)
    new_usd, new_s = _value(variant)
    saving_usd, saving_s = round(old_usd - new_usd, 2), round(old_s - new_s, 1)
    worthwhile = (
        (saving_usd >= 0.01 and saving_usd >= 0.03 * old_usd) if old_usd > 0 else saving_s > 0.05 * old_s
    )
    if not worthwhile:
        return None
    pct = 100 * (saving_usd / old_usd if old_usd > 0 else saving_s / old_s)
    speed = f"{human(abs(saving_s))} {'faster' if saving_s >= 0 else 'slower'}"
    tradeoff = tradeoff.replace("{speed}", speed)
    return Tip(
        action=action,
        change=change,
        saving_usd=max(saving_usd, 0.0),
        saving_pct=round(pct, 1),
        saving_s=saving_s,
        new_cost_usd=round(new_usd, 2),
        tradeoff=tradeoff,
    ), variant


def _cheapest_gpu(base: Estimate, method: str, store: dict[str, Any]) -> tuple[str, float] | None:
    from vibeflow.recommend.estimator import estimate

    best: tuple[str, float] | None = None
    for gpu in gpus():
        try:
            variant = estimate(
                base.request.model_copy(update={"device": gpu.id, "method": method, "target": "cloud"}),
                tips=False,
                store=store,
            )
        except (VibeFlowError, ValueError):
            continue
        fit = next(f for f in variant.memory.fits if f.device == gpu.id)
        if fit.status != "ok" or variant.cost.chosen is None:
            continue
        if best is None or variant.cost.chosen.compute_usd < best[1]:
            best = (gpu.id, variant.cost.chosen.compute_usd)
    return best


def cost_tips(base: Estimate, store: dict[str, Any]) -> list[Tip]:
    """Tips that lower this estimate's cost (cloud) or time (local), largest saving first."""
    req = base.request
    found: list[Tip] = []

    def add(action: str, change: dict[str, Any], tradeoff: str) -> None:
        made = _tip(base, action, change, tradeoff, store)
        if made:
            found.append(made[0])

    if req.max_steps is None and (req.num_epochs or 1) >= 2:
        epochs = float(req.num_epochs or 1)
        add(
            f"Reduce epochs from {epochs:g} to {epochs - 1:g}",
            {"num_epochs": epochs - 1},
            "fewer passes: slightly less fitting; often no loss of quality on medium/large datasets ({speed})",
        )
    if base.target == "cloud" and not req.spot and base.cost.spot is not None:
        add(
            "Use a spot instance",
            {"spot": True},
            "can be preempted; VibeFlow resumes from the latest checkpoint (adds ~10% time)",
        )
    if base.target == "cloud" and req.method == "lora":
        cheapest = _cheapest_gpu(base, "qlora", store)
        if cheapest:
            add(
                f"Use QLoRA instead of LoRA (fits a {cheapest[0]})",
                {"method": "qlora", "device": cheapest[0]},
                "4-bit base: about 95% of LoRA quality, fits a cheaper GPU ({speed})",
            )
    if base.target == "cloud":
        cheapest = _cheapest_gpu(base, req.method, store)
        if cheapest and cheapest[0] != base.device:
            add(
                f"Use a {cheapest[0]} instead of {base.device}",
                {"device": cheapest[0]},
                "cheaper per run, same result ({speed})",
            )
    try:
        current = find_model(req.base_model, req.model_params_b)
    except (InvalidRequestError, VibeFlowError):
        current = None
    if current is not None and not current.estimated and not current.demo:
        smaller = [m for m in models() if m.family == current.family and m.params_b < current.params_b]
        if smaller:
            target = max(smaller, key=lambda m: m.params_b)
            add(
                f"Use {target.name} instead of {current.name}",
                {"base_model": target.id},
                "smaller model: lower ceiling on hard tasks ({speed})",
            )
    found.sort(key=lambda tip: (-tip.saving_usd, -tip.saving_s))
    return found
