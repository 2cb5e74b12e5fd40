"""Wall-clock time of a run, phase by phase, with a low/high range that narrows as calibration data arrives."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from vibeflow.recommend.calibration import Correction
from vibeflow.recommend.catalog import GPUSpec, ModelSpec
from vibeflow.recommend.memory import OPTIMIZER_BYTES, lora_params
from vibeflow.recommend.schemas import TimeBreakdown, TimeEstimate
from vibeflow.recommend.throughput import DeviceSpeed, forward_flops_per_token, training_flops
from vibeflow.recommend.workload import WorkPlan

CLOUD_PROVISION_S = 180.0  # a SkyPilot launch: 2–5 min until the node is up
CLOUD_SETUP_S = 240.0  # installing the trainer environment on a fresh node
DOWNLOAD_BYTES_S = 200e6  # Hub download speed
LOAD_BYTES_S = 2e9  # weights from local disk into memory
SAVE_BYTES_S = 0.5e9
PREP_PER_ROW_S = 0.0005
DDP_EFFICIENCY = 0.9
UNCALIBRATED_GPU = 0.35
UNCALIBRATED_CPU = 0.6
MIN_UNCERTAINTY = 0.10


@dataclass(frozen=True)
class TimeInputs:
    model: ModelSpec
    method: str
    device: GPUSpec
    cloud: bool
    gpu_count: int
    plan: WorkPlan
    batch_size: int
    n_eval_examples: int
    eval_every: int | None
    checkpoint_every: int
    lora_r: int
    lora_targets: list[str] | str
    optimizer: str
    checkpointing: bool


def checkpoint_bytes(
    model: ModelSpec, method: str, lora_r: int, targets: list[str] | str, optimizer: str
) -> float:
    opt = OPTIMIZER_BYTES.get(optimizer, 8.0)
    if method == "full":
        return model.params * (4.0 + opt)
    return lora_params(model, lora_r, targets) * (4.0 + opt)


def final_output_bytes(model: ModelSpec, method: str, lora_r: int, targets: list[str] | str) -> float:
    return model.params * 4.0 if method == "full" else lora_params(model, lora_r, targets) * 4.0


def human(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    if seconds < 90:
        return f"{seconds:.0f}s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    if hours < 48:
        return f"{int(hours)}h {int(round(minutes - 60 * int(hours))):02d}m"
    days = hours / 24
    return f"{days:.1f} days" if days < 730 else f"{days / 365:.0f} years"


def cpu_values(cpu_profile: dict[str, Any] | None) -> dict[str, Any]:
    """The CPU profile's numbers over the uncalibrated defaults."""
    from vibeflow.recommend.throughput import CPU_DEFAULTS

    return {**CPU_DEFAULTS, **(cpu_profile or {})}


def cpu_save_s(nbytes: float, fixed_s: float, prof: dict[str, Any]) -> float:
    """Seconds to save `nbytes` on this CPU: the fitted fixed part plus the bytes at the measured speed."""
    return fixed_s + nbytes * float(prof["save_s_per_byte"])


def breakdown(
    inputs: TimeInputs, speed: DeviceSpeed, cpu_profile: dict[str, Any] | None, factor: float
) -> tuple[TimeBreakdown, float]:
    """Seconds per phase (training and evaluation multiplied by the calibration factor) and tokens/s.

    On CPU every constant comes from the calibration profile (`calibrate_cpu`): per-step and per-micro-batch
    overhead, FLOP rates, full fine-tuning's optimizer update per parameter, first-step warm-up (fixed + a
    fraction of a step), checkpoint and final saves (fixed + per byte) and start-up (boot, loading the calibration model + per row, plus reading
    the extra weights of a larger model)."""
    m, p = inputs.model, inputs.plan
    prof = cpu_values(cpu_profile)
    count = inputs.gpu_count if inputs.device.cuda else 1
    parallel = count * (DDP_EFFICIENCY if count > 1 else 1.0)
    flops = training_flops(m, inputs.method, p, inputs.checkpointing, inputs.lora_r, inputs.lora_targets)
    compute = flops / speed.flops_per_s / parallel
    fixed = p.steps * (speed.step_s + speed.optimizer_s) + p.micro_steps * speed.micro_s / count
    if not inputs.device.cuda:  # full fine-tuning's optimizer update and the first step's warm-up, measured
        if inputs.method == "full":
            fixed += p.steps * float(prof["optimizer_s_per_param"]) * m.params
        one_step = (compute + fixed) / p.steps
        fixed += float(prof["train_fixed_s"]) + float(prof["warmup_steps"]) * one_step
    training = (compute + fixed) * factor
    evaluation = 0.0
    eval_every = inputs.eval_every or inputs.checkpoint_every
    if inputs.n_eval_examples and p.steps >= eval_every:
        evals = p.steps // eval_every
        batches = math.ceil(inputs.n_eval_examples / inputs.batch_size)
        one = (
            inputs.n_eval_examples
            * p.padded_length
            * forward_flops_per_token(m, p.padded_length)
            / speed.flops_per_s
            / parallel
            + batches * speed.micro_s / 3
        )
        evaluation = evals * one * factor
    ckpt_bytes = checkpoint_bytes(m, inputs.method, inputs.lora_r, inputs.lora_targets, inputs.optimizer)
    if inputs.device.cuda:
        per_ckpt = 1.0 + ckpt_bytes / SAVE_BYTES_S
    else:
        per_ckpt = cpu_save_s(ckpt_bytes, float(prof["ckpt_s"]), prof)
    # The trainer saves every checkpoint_every steps and once more at the end (unless the last step just saved).
    saves = p.steps // inputs.checkpoint_every + (1 if p.steps % inputs.checkpoint_every else 0)
    checkpointing = saves * per_ckpt
    weights_on_disk = m.params * 2.0
    final_bytes = final_output_bytes(m, inputs.method, inputs.lora_r, inputs.lora_targets)
    download = 0.0 if m.demo or m.packaged else weights_on_disk / DOWNLOAD_BYTES_S
    rows = p.n_examples + inputs.n_eval_examples
    if inputs.device.cuda:
        startup = (
            download
            + weights_on_disk / LOAD_BYTES_S
            + rows * PREP_PER_ROW_S
            + 20.0
            + final_bytes / SAVE_BYTES_S
        )
        if inputs.cloud:
            startup += CLOUD_SETUP_S
    else:
        # fp32 weights beyond the calibration model's (already inside load_s) are read at LOAD_BYTES_S.
        extra_weights = max(m.params - float(prof["model_params"]), 0.0) * 4.0
        startup = (
            float(prof["boot_s"])
            + float(prof["load_s"])
            + extra_weights / LOAD_BYTES_S
            + download
            + rows * float(prof["per_row_s"])
            + cpu_save_s(final_bytes, float(prof["final_s"]), prof)
        )
    provisioning = CLOUD_PROVISION_S if inputs.cloud else 0.0
    tokens_per_s = p.tokens_total / training if training > 0 else 0.0
    return TimeBreakdown(
        provisioning_s=round(provisioning, 1),
        startup_s=round(startup, 1),
        training_s=round(training, 2),
        evaluation_s=round(evaluation, 2),
        checkpointing_s=round(checkpointing, 2),
    ), tokens_per_s


def uncertainty(
    device: GPUSpec, correction: Correction, cpu_profile: dict[str, Any] | None, estimated_model: bool
) -> float:
    """Relative half-width of the time range (0.1 = ±10 %) from how much of this estimate was measured."""
    if device.cuda:
        base = UNCALIBRATED_GPU
    elif cpu_profile:
        base = max(MIN_UNCERTAINTY, 2 * float(cpu_profile.get("fit_error", 0.05)))
    else:
        base = UNCALIBRATED_CPU
    if correction.samples and correction.mean_abs_log_error is not None:
        base = max(MIN_UNCERTAINTY, min(base, 1.5 * correction.mean_abs_log_error))
    return base + (0.15 if estimated_model else 0.0)


def time_estimate(
    inputs: TimeInputs, speed: DeviceSpeed, correction: Correction, cpu_profile: dict[str, Any] | None
) -> TimeEstimate:
    parts, tokens_per_s = breakdown(inputs, speed, cpu_profile, correction.factor)
    total = sum(parts.model_dump().values())
    u = uncertainty(inputs.device, correction, cpu_profile, inputs.model.estimated)
    slack = 120.0 if inputs.cloud else 0.0
    low, high = max(total * (1 - 0.6 * u) - slack, 1.0), total * (1 + u) + slack
    basis = speed.basis
    if correction.samples:
        basis += (
            f"; corrected x{correction.factor:.2f} from {correction.samples} measured run(s) "
            f"({correction.key})"
        )
    return TimeEstimate(
        seconds=round(total, 1),
        low_s=round(low, 1),
        high_s=round(high, 1),
        human=human(total),
        breakdown=parts,
        tokens_per_s=round(tokens_per_s, 1),
        basis=basis,
        correction_factor=correction.factor,
        correction_samples=correction.samples,
    )
