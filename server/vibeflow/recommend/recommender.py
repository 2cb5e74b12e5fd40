"""`recommend(...)`: picks base model, method, hardware and hyperparameters, and says why in plain English.

It enumerates (device, model, method) candidates, keeps those that fit in memory (< 85 % of the device) and
in the budget, scores them for the user's priority (accuracy: the strongest model in the size band for the
task; cost: the cheapest; speed: the fastest), and explains the pick with the estimator's numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from vibeflow.recommend import rules
from vibeflow.recommend.availability import available_here
from vibeflow.recommend.calibration import load_store
from vibeflow.recommend.catalog import CPU_ID, GPUSpec, ModelSpec, find_gpu, gpu_note, gpus, models
from vibeflow.recommend.errors import NoFeasibleConfigError
from vibeflow.recommend.estimator import estimate
from vibeflow.recommend.explain import explain
from vibeflow.recommend.memory import check_fit, estimate_memory, resolve_checkpointing, resolve_precision
from vibeflow.recommend.schemas import (
    Alternative,
    Estimate,
    EstimateRequest,
    Hyperparameters,
    Recommendation,
    RecommendRequest,
)
from vibeflow.recommend.validation import check_budget_value, check_examples, check_task, check_tokens

TEST_SPLIT = 0.2  # the recipe's default held-out fraction
BATCHES = (32, 16, 8, 4, 2, 1)
DEMO_WORDS = ("demo", "pipeline", "smoke test", "try vibeflow", "offline")


@dataclass
class Candidate:
    model: ModelSpec
    device: GPUSpec
    method: str
    hyper: Hyperparameters
    estimate: Estimate
    quality: float
    notes: dict[str, str]

    @property
    def cost(self) -> float:
        chosen = self.estimate.cost.chosen
        return chosen.compute_usd if chosen else math.inf

    @property
    def seconds(self) -> float:
        return self.estimate.time.seconds


def split_counts(n: int) -> tuple[int, int]:
    if n < 10:
        return n, 0
    test = max(1, round(n * TEST_SPLIT))
    return n - test, test


def _hyper(
    model: ModelSpec,
    method: str,
    device: GPUSpec,
    req: RecommendRequest,
    profile: rules.TaskProfile,
    n_train: int,
) -> tuple[Hyperparameters, dict[str, str]] | None:
    """Hyperparameters for this model/method/device, or None when not even batch 1 fits comfortably."""
    seq = rules.seq_length(req.avg_tokens_in, req.avg_tokens_out, model)
    precision = resolve_precision("auto", device)
    checkpointing = resolve_checkpointing("auto", device)
    rank, rank_why = rules.lora_rank(profile.complexity, n_train, req.priority)
    targets, targets_why = rules.target_modules(model, req.priority)
    effective = rules.effective_batch(n_train)
    chosen = None
    for batch in BATCHES:
        if batch > max(n_train, 1):
            continue
        memory = estimate_memory(
            model,
            method,
            batch_size=batch,
            seq_len=seq,
            precision=precision,
            gradient_checkpointing=checkpointing,
            device=device,
            lora_r=rank,
            lora_targets=targets,
        )
        fit = check_fit(memory, device)
        if fit.status == "ok":
            chosen = (batch, memory, fit)
            break
    if chosen is None:
        return None
    largest, memory, fit = chosen
    batch = min(largest, effective)  # never more per device than the effective batch
    accumulation = max(1, math.ceil(effective / batch))
    cpu_why = None
    if not device.cuda:
        batch, cpu_why = rules.cpu_batch(largest, effective)
        accumulation = 1
    if batch < largest:
        memory = estimate_memory(
            model,
            method,
            batch_size=batch,
            seq_len=seq,
            precision=precision,
            gradient_checkpointing=checkpointing,
            device=device,
            lora_r=rank,
            lora_targets=targets,
        )
        fit = check_fit(memory, device)  # the fit quoted to the user is the chosen batch's, not the largest's
        batch_why = (
            f"batch {batch} = the effective batch for {n_train:,} examples ({effective}); memory would "
            f"allow {largest} ({memory.total_gb:.1f} GB of {device.memory_gb:g} GB at {seq} tokens)"
        )
    else:
        batch_why = (
            f"batch {batch}: the largest per-device batch that keeps memory under 85% "
            f"({memory.total_gb:.1f} GB of {device.memory_gb:g} GB at {seq} tokens)"
        )
        if accumulation > 1:
            batch_why += f"; accumulation {accumulation} reaches the effective batch of {effective}"
    if cpu_why:
        batch_why = f"{cpu_why} ({memory.total_gb:.1f} GB of {device.memory_gb:g} GB at {seq} tokens)"
    lr, lr_why = rules.learning_rate(n_train, method, model)
    epochs, epochs_why = rules.epochs(n_train, req.priority)
    lora = method != "full"
    hyper = Hyperparameters(
        learning_rate=lr,
        num_epochs=epochs,
        batch_size=batch,
        gradient_accumulation=accumulation,
        max_seq_length=seq,
        warmup_ratio=rules.warmup_ratio(n_train),
        weight_decay=0.01,
        lora_r=rank if lora else None,
        lora_alpha=2 * rank if lora else None,
        lora_dropout=rules.lora_dropout(n_train) if lora else None,
        lora_target_modules=targets if lora else None,
        optimizer="adamw_torch",
        precision=precision,
        gradient_checkpointing=checkpointing,
    )
    notes = {
        "lr": lr_why,
        "epochs": epochs_why,
        "rank": rank_why,
        "targets": targets_why,
        "batch": batch_why,
        "fit": fit.reason,
    }
    return hyper, notes


def _request_for(
    model: ModelSpec,
    method: str,
    device: GPUSpec,
    hyper: Hyperparameters,
    req: RecommendRequest,
    n_train: int,
    n_eval: int,
    cloud: bool,
) -> EstimateRequest:
    return EstimateRequest(
        base_model=model.id,
        method=method,
        device=device.id,
        target="cloud" if cloud else "local",
        spot=True,  # type: ignore[arg-type]
        n_examples=n_train,
        n_eval_examples=n_eval,
        avg_tokens_in=req.avg_tokens_in,
        avg_tokens_out=req.avg_tokens_out,
        max_seq_length=hyper.max_seq_length,
        num_epochs=hyper.num_epochs,
        batch_size=hyper.batch_size,
        gradient_accumulation=hyper.gradient_accumulation,
        lora_r=hyper.lora_r or 16,
        lora_target_modules=hyper.lora_target_modules or "auto",
        optimizer=hyper.optimizer,
    )


def _quality(model: ModelSpec, method: str, profile: rules.TaskProfile, n: int) -> float:
    score = math.log10(model.params_b)
    if set(profile.tags) & set(model.good_for):
        score += 0.25
    if model.license in ("apache-2.0", "mit"):
        score += 0.15  # permissive: no usage conditions at all
    elif model.commercial_use:
        score += 0.05
    else:
        score -= 0.2
    if method == "qlora":
        score -= 0.1
    if method == "full" and n >= 100_000:
        score += 0.05
    return score


def _models(req: RecommendRequest, task: str, here: bool) -> list[ModelSpec]:
    """Catalog models for this request; when training on this machine's CPU, only those it can load now.

    A named GPU may be another machine (the user's workstation, a cluster) with its own network and cache,
    so only the CPU of this machine is checked for availability.
    """
    need = req.avg_tokens_in + req.avg_tokens_out + 10
    demo_ok = any(word in task.lower() for word in DEMO_WORDS)
    keep = []
    for model in models():
        if model.demo and not demo_ok:
            continue
        if here and not available_here(model):
            continue
        if model.context_length < need or (req.commercial_use and not model.commercial_use):
            continue
        if model.gated and not req.allow_gated:
            continue
        keep.append(model)
    return keep


def _methods(device: GPUSpec, n: int) -> list[str]:
    methods = ["lora"]
    if device.cuda:
        methods.append("qlora")
    if n >= 100_000 or not device.cuda:
        methods.append("full")
    return methods


def candidates(
    req: RecommendRequest,
    task: str,
    profile: rules.TaskProfile,
    devices: list[GPUSpec],
    cloud: bool,
    store: dict[str, Any],
) -> list[Candidate]:
    n_train, n_eval = split_counts(req.n_examples)
    found: list[Candidate] = []
    for device in devices:
        for model in _models(req, task, here=device.id == CPU_ID):
            fitted_lora = False
            for method in _methods(device, req.n_examples):
                if method == "qlora" and fitted_lora:
                    continue  # QLoRA only where LoRA does not fit: slower, slightly lower quality
                if method == "full" and not device.cuda and model.params_b > 0.5:
                    continue
                made = _hyper(model, method, device, req, profile, n_train)
                if made is None:
                    continue
                hyper, notes = made
                fitted_lora = fitted_lora or method == "lora"
                est = estimate(
                    _request_for(model, method, device, hyper, req, n_train, n_eval, cloud),
                    tips=False,
                    store=store,
                    all_devices_fit=False,
                )
                found.append(
                    Candidate(
                        model,
                        device,
                        method,
                        hyper,
                        est,
                        _quality(model, method, profile, req.n_examples),
                        notes,
                    )
                )
    return found


def _pick(pool: list[Candidate], req: RecommendRequest, band: tuple[float, float]) -> Candidate:
    low, high = band
    inside = [c for c in pool if low <= c.model.params_b <= high]
    if req.priority == "accuracy":
        group = inside or [c for c in pool if c.model.params_b <= high] or pool
        return max(group, key=lambda c: (round(c.quality, 3), -c.cost, -c.seconds, c.model.id))
    group = inside or sorted(pool, key=lambda c: -c.quality)[: max(3, len(pool) // 4)]
    if req.priority == "cost":
        return min(group, key=lambda c: (round(c.cost, 2), -c.quality, c.seconds, c.model.id))
    return min(group, key=lambda c: (round(c.seconds, -1), -c.quality, c.cost, c.model.id))


def _alternatives(pool: list[Candidate], best: Candidate, band: tuple[float, float]) -> list[Alternative]:
    picks: list[tuple[str, Candidate, str]] = []
    sensible = [c for c in pool if band[0] <= c.model.params_b <= band[1]] or pool
    cheapest = min(sensible, key=lambda c: (c.cost, c.seconds))
    fastest = min(sensible, key=lambda c: (c.seconds, c.cost))
    strongest = max(pool, key=lambda c: (c.quality, -c.cost))
    picks += [
        ("cheapest", cheapest, "lowest cost that fits"),
        ("fastest", fastest, "shortest wall time"),
        ("strongest", strongest, "largest suitable model that fits"),
    ]
    seen = {(best.model.id, best.method, best.device.id)}
    out: list[Alternative] = []
    for label, cand, note in picks:
        key = (cand.model.id, cand.method, cand.device.id)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Alternative(
                label=label,
                base_model=cand.model.id,
                method=cand.method,  # type: ignore[arg-type]
                device=cand.device.id,
                cost_usd=round(cand.cost, 2),
                time_s=cand.seconds,
                note=f"{note}: {cand.model.name} + {cand.method} on {cand.device.id}",
            )
        )
    return out


def recipe_patch(best: Candidate, preset: str, cloud: bool) -> dict[str, Any]:
    h = best.hyper
    training: dict[str, Any] = {
        "learning_rate": h.learning_rate,
        "num_epochs": h.num_epochs,
        "batch_size": h.batch_size,
        "gradient_accumulation": h.gradient_accumulation,
        "warmup_ratio": h.warmup_ratio,
        "weight_decay": h.weight_decay,
        "max_seq_length": h.max_seq_length,
    }
    if h.lora_r:
        training["lora"] = {
            "r": h.lora_r,
            "alpha": h.lora_alpha,
            "dropout": h.lora_dropout,
            "target_modules": h.lora_target_modules,
        }
    compute: dict[str, Any] = {"target": "cloud" if cloud else "local"}
    if cloud:
        compute.update(gpu=best.device.id, spot=True)
    return {
        "base_model": best.model.hf_id,
        "method": best.method,
        "preset": preset,
        "training": training,
        "compute": compute,
    }


def recommend(
    request: RecommendRequest | dict[str, Any], *, store: dict[str, Any] | None = None
) -> Recommendation:
    """The recommended setup with its estimate and reasons; typed errors (with a fix) for impossible asks."""
    req = request if isinstance(request, RecommendRequest) else RecommendRequest.model_validate(request)
    task = check_task(req.task)
    check_examples(req.n_examples)
    check_tokens(req.avg_tokens_in, req.avg_tokens_out)
    check_budget_value(req.budget_usd)
    profile = rules.classify_task(task)
    data = store if store is not None else load_store()
    if req.gpu:
        devices = [find_gpu(req.gpu)]
    elif req.target == "local":
        devices = [find_gpu(CPU_ID)]
    else:
        devices = [g for g in gpus() if g.prices]
    cloud = req.target != "local" and devices[0].cuda
    pool = candidates(req, task, profile, devices, cloud, data)
    if not pool:
        where = devices[0].id if len(devices) == 1 else "any catalog GPU"
        raise NoFeasibleConfigError(
            f"no catalog model fits on {where} for examples of ~{req.avg_tokens_in + req.avg_tokens_out:.0f} tokens",
            fix="use a GPU with more memory, shorter examples, or a smaller model from `vibeflow catalog models`",
        )
    affordable = [c for c in pool if req.budget_usd is None or c.cost <= req.budget_usd]
    if not affordable:
        cheapest = min(pool, key=lambda c: c.cost)
        raise NoFeasibleConfigError(
            f"nothing fits a ${req.budget_usd:,.2f} budget: the cheapest option is {cheapest.model.name} + "
            f"{cheapest.method} on {cheapest.device.id} at about ${cheapest.cost:,.2f}",
            fix=f"raise the budget to at least ${math.ceil(cheapest.cost * 100) / 100:,.2f}, use fewer examples, "
            "or train locally on your own hardware (--gpu cpu or your GPU with target local)",
            details={"cheapest_usd": cheapest.cost},
        )
    band = rules.size_band(profile.complexity, req.priority, req.n_examples)
    best = _pick(affordable, req, band)
    final = estimate(best.estimate.request, store=data)
    best.estimate = final
    preset = rules.preset_for(req.priority, profile.complexity, req.n_examples)
    warnings = list(final.warnings)
    note = gpu_note(req.gpu or "")
    if note and note not in warnings:
        warnings.append(note)
    return Recommendation(
        base_model=best.model.id,
        hf_id=best.model.hf_id,
        model_name=best.model.name,
        method=best.method,  # type: ignore[arg-type]
        device=best.device.id,
        target="cloud" if cloud else "local",
        spot=cloud,
        preset=preset,  # type: ignore[arg-type]
        hyperparameters=best.hyper,
        estimate=final,
        reasons=explain(best, pool, req, profile, band, cloud, split_counts(req.n_examples)),
        warnings=warnings,
        alternatives=_alternatives(affordable, best, band),
        recipe_patch=recipe_patch(best, preset, cloud),
    )
