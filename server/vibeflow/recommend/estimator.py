"""`estimate(request)`: memory, time, cost, confidence, warnings and cost-saving tips for one configuration."""

from __future__ import annotations

from typing import Any

from vibeflow.recommend.calibration import correction_for, cpu_profile, load_store
from vibeflow.recommend.catalog import GPUSpec, ModelSpec, all_devices, find_gpu, find_model, gpu_note
from vibeflow.recommend.cost import cost_estimate
from vibeflow.recommend.memory import (
    check_fit,
    estimate_memory,
    resolve_checkpointing,
    resolve_precision,
)
from vibeflow.recommend.schemas import Confidence, Estimate, EstimateRequest, MemoryEstimate, Workload
from vibeflow.recommend.throughput import cpu_speed, gpu_speed
from vibeflow.recommend.timing import (
    MIN_UNCERTAINTY,
    TimeInputs,
    checkpoint_bytes,
    final_output_bytes,
    time_estimate,
    uncertainty,
)
from vibeflow.recommend.validation import check_examples, check_tokens
from vibeflow.recommend.workload import DEFAULT_LENGTH_CV, plan


def memory_for(request: EstimateRequest, model: ModelSpec, device: GPUSpec) -> MemoryEstimate:
    precision = resolve_precision(request.precision, device)
    seq = min(request.max_seq_length, model.context_length)
    if request.max_tokens:
        seq = min(seq, max(request.max_tokens, 16))
    return estimate_memory(
        model,
        request.method,
        batch_size=request.batch_size,
        seq_len=seq,
        precision=precision,
        gradient_checkpointing=resolve_checkpointing(request.gradient_checkpointing, device),
        device=device,
        lora_r=request.lora_r,
        lora_targets=request.lora_target_modules,
        optimizer=request.optimizer,
    )


def _warnings(
    request: EstimateRequest, model: ModelSpec, device: GPUSpec, memory: MemoryEstimate, truncated: bool
) -> list[str]:
    out: list[str] = []
    fit = next(f for f in memory.fits if f.device == device.id)
    if not fit.fits:
        fix = (
            "use method qlora"
            if request.method == "lora" and device.cuda
            else "lower batch_size (raise gradient_accumulation to keep the effective batch)"
        )
        out.append(f"does not fit on {device.id}: {fit.reason} — {fix}, a smaller model or a larger GPU")
    elif fit.status == "tight":
        out.append(f"tight on {device.id}: {fit.reason}")
    if model.demo:
        out.append("vibeflow-demo-tiny has random weights: this run only shows the pipeline working")
    if model.estimated:
        out.append(
            f"'{model.id}' is not in the catalog: its shape was estimated from {model.params_b:g}B "
            "parameters, so memory and time are rough"
        )
    if truncated:
        out.append(
            f"examples average more tokens than max_seq_length={request.max_seq_length}: they will be "
            "truncated (raise max_seq_length if the model's context allows)"
        )
    if request.n_examples < 100:
        out.append(f"only {request.n_examples} training examples: expect overfitting; 100+ is recommended")
    if request.n_examples > 1_000_000:
        out.append(f"{request.n_examples:,} examples: a large, costly run — consider a subset first")
    if request.batch_size > request.n_examples:
        out.append(
            f"batch_size {request.batch_size} exceeds the {request.n_examples} training examples: "
            "the trainer will refuse it — lower batch_size"
        )
    if request.precision == "bf16" and device.cuda and not device.bf16:
        out.append(f"{device.id} has no bf16 support: use precision fp16 or auto")
    if (request.optimizer.endswith("8bit") or request.method == "qlora") and not device.cuda:
        out.append(
            f"{request.method if request.method == 'qlora' else request.optimizer} needs a CUDA GPU "
            "(bitsandbytes): not available on this device"
        )
    note = gpu_note(request.device)
    if note:
        out.append(note)
    return out


def _assumptions(request: EstimateRequest, device: GPUSpec, cloud: bool, checkpointing: bool) -> list[str]:
    out = [
        f"batches are padded to their longest example (example lengths vary by ±{100 * (DEFAULT_LENGTH_CV if request.length_cv is None else request.length_cv):.0f}%); no packing",
        f"gradient checkpointing {'on' if checkpointing else 'off'}"
        + (
            " (trainer 'auto': on for CUDA GPUs, off on CPU)"
            if request.gradient_checkpointing == "auto"
            else ""
        ),
    ]
    if cloud:
        out.append(
            "cloud time is billed from node start: ~3 min provisioning + ~4 min environment setup + "
            "model download at ~200 MB/s"
        )
        out.append("spot cost includes ~10% extra time for preemption recoveries (up to 30% in the high end)")
    if request.gpu_count > 1:
        out.append(f"{request.gpu_count} GPUs in data parallel at 90% scaling; each GPU holds a full copy")
    if not device.cuda:
        out.append("CPU: fp32, no gradient checkpointing, speed from the local calibration when present")
    return out


def _confidence(u: float, basis: str, snapshot_age: int | None, cloud: bool) -> Confidence:
    level = "high" if u <= 0.16 else "medium" if u <= 0.4 else "low"
    reasons = [f"time range ±{u:.0%} from: {basis}"]
    if cloud and snapshot_age is not None:
        reasons.append(f"prices from a snapshot {snapshot_age} days old")
    if u > MIN_UNCERTAINTY and "calibrat" not in basis and "measured" not in basis:
        reasons.append(
            "no run on this device has been measured yet; estimates tighten after each finished run"
        )
    return Confidence(level=level, score=round(max(0.0, 1 - u), 2), reasons=reasons)  # type: ignore[arg-type]


def estimate(
    request: EstimateRequest | dict[str, Any],
    *,
    tips: bool = True,
    store: dict[str, Any] | None = None,
    all_devices_fit: bool = True,
) -> Estimate:
    """Size one training configuration. Raises typed errors (with a fix) for impossible inputs."""
    req = request if isinstance(request, EstimateRequest) else EstimateRequest.model_validate(request)
    check_examples(req.n_examples, bounded_by_steps=bool(req.max_steps))
    check_tokens(req.avg_tokens_in, req.avg_tokens_out)
    model = find_model(req.base_model, req.model_params_b)
    device = find_gpu(req.device)
    cloud = (req.target or ("local" if not device.cuda else "cloud")) == "cloud"
    if cloud and not device.cuda:
        cloud = False
    data = store if store is not None else load_store()
    profile = None if device.cuda else cpu_profile(data)
    work = plan(
        model,
        n_examples=req.n_examples,
        avg_tokens_in=req.avg_tokens_in,
        avg_tokens_out=req.avg_tokens_out,
        max_seq_length=req.max_seq_length,
        batch_size=req.batch_size,
        gradient_accumulation=req.gradient_accumulation,
        num_epochs=req.num_epochs,
        max_steps=req.max_steps,
        length_cv=DEFAULT_LENGTH_CV if req.length_cv is None else req.length_cv,
    )
    memory = memory_for(req, model, device)
    others = all_devices() if all_devices_fit else [device]
    memory.fits = [
        check_fit(memory_for(req, model, d) if d.cuda != device.cuda else memory, d, req.gpu_count)
        for d in others
    ]
    checkpointing = memory.gradient_checkpointing
    speed = gpu_speed(model, req.method, device) if device.cuda else cpu_speed(profile, req.method)
    correction = correction_for(device.id, model.id, req.method, data)
    inputs = TimeInputs(
        model=model,
        method=req.method,
        device=device,
        cloud=cloud,
        gpu_count=req.gpu_count,
        plan=work,
        batch_size=req.batch_size,
        n_eval_examples=req.n_eval_examples,
        eval_every=req.eval_every,
        checkpoint_every=req.checkpoint_every,
        lora_r=req.lora_r,
        lora_targets=req.lora_target_modules,
        optimizer=req.optimizer,
        checkpointing=checkpointing,
    )
    time = time_estimate(inputs, speed, correction, profile)
    storage_gb = (
        final_output_bytes(model, req.method, req.lora_r, req.lora_target_modules)
        + min(req.keep_checkpoints, work.steps // req.checkpoint_every)
        * checkpoint_bytes(model, req.method, req.lora_r, req.lora_target_modules, req.optimizer)
    ) / 1e9
    cost, cost_warnings = cost_estimate(
        device, cloud, req.spot, req.provider, time, req.gpu_count, storage_gb
    )
    u = uncertainty(device, correction, profile, model.estimated)
    result = Estimate(
        request=req,
        model=model.id,
        model_name=model.name,
        device=device.id,
        target="cloud" if cloud else "local",
        precision=memory.precision,
        gradient_checkpointing=checkpointing,
        workload=Workload(
            n_examples=work.n_examples,
            tokens_per_example=round(work.tokens_per_example, 1),
            steps=work.steps,
            micro_steps=work.micro_steps,
            epochs=work.epochs,
            tokens_total=round(work.tokens_total),
            padded_tokens_total=round(work.padded_tokens_total),
        ),
        memory=memory,
        time=time,
        cost=cost,
        confidence=_confidence(u, time.basis, cost.price_snapshot_age_days, cloud),
        warnings=_warnings(req, model, device, memory, work.truncated) + cost_warnings,
        assumptions=_assumptions(req, device, cloud, checkpointing),
    )
    if tips:
        from vibeflow.recommend.tips import cost_tips

        result.tips = cost_tips(result, data)
    return result
