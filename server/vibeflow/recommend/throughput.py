"""Training speed of a (device, model, method): FLOPs per token over an MFU fitted to published measurements.

Seeded from catalog/throughput.yaml (Qwen README, A100-80GB): for every (model, method) row we fit
`step_s = overhead_s + tokens_per_step * flops_per_token(seq) / (peak * mfu)` by least squares over the six
sequence lengths, then interpolate MFU in log(parameters). Other GPUs scale the peak by their datasheet TFLOPS
and the MFU by `efficiency_vs_a100`; QLoRA's dequantisation (fitted fixed seconds per micro-step and billion
parameters) scales with memory bandwidth. The CPU has no published figures: its numbers come from
`calibrate_cpu()` (a few real trainer runs), with rough defaults until then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from vibeflow.recommend.catalog import CATALOG_DIR, GPUSpec, ModelSpec
from vibeflow.recommend.memory import lora_params

if TYPE_CHECKING:
    from vibeflow.recommend.workload import WorkPlan

A100_BANDWIDTH_GBS = 2039.0
FULL_OPTIMIZER_BYTES = 16.0  # fp32 weight + grad + two Adam moments, read and written once per step
MFU_FLOOR, MFU_CEIL = 0.12, 0.6
# Uncalibrated CPU defaults (replaced by calibrate_cpu): a SmolLM2-135M calibration on the 2-core build VM
# (bench/bench_estimator.py, 2026-12-08), rounded. Other CPUs differ, so they are flagged as low confidence.
CPU_DEFAULTS = {
    "flops_per_s": 9.0e10,
    "flops_per_s_full": 1.25e11,
    "step_s": 0.02,
    "micro_s": 0.2,
    "optimizer_s_per_param": 2.0e-9,  # full fine-tuning's optimizer update, seconds per parameter per step
    "boot_s": 1.5,
    "load_s": 6.0,  # includes loading the calibration model's weights:
    "model_params": 1.345e8,  # SmolLM2-135M's
    "per_row_s": 0.002,
    "final_s": 2.0,
    "ckpt_s": 0.25,
    "save_s_per_byte": 3.0e-9,
    "train_fixed_s": 0.5,
    "warmup_steps": 0.0,  # the first step's extra time, in steps (on top of train_fixed_s)
}


def flops_per_token(
    model: ModelSpec, method: str, seq_len: float, checkpointing: bool, lora_params: float = 0.0
) -> float:
    """Training FLOPs per token: forward 2N, backward 2N (activations) + 2N (weights, full only),
    recompute 2N with gradient checkpointing; causal attention 2·layers·seq·q_dim per pass."""
    passes = 1 if checkpointing else 0
    matmul = (6 if method == "full" else 4) + 2 * passes
    attention = 2 * model.num_layers * seq_len * model.q_dim * (3 + passes)
    adapters = 6 * lora_params if method != "full" else 0.0
    return matmul * model.matmul_params + attention + adapters


def training_flops(
    model: ModelSpec, method: str, work: WorkPlan, checkpointing: bool, lora_r: int, targets: list[str] | str
) -> float:
    """Training FLOPs of a whole run: its padded tokens x FLOPs per token, LoRA adapters included.

    The one count both the estimate (timing.py) and the CPU calibration's fit (cpu_calibrate.py) use."""
    adapters = 0.0 if method == "full" else float(lora_params(model, lora_r, targets))
    return work.padded_tokens_total * flops_per_token(
        model, method, work.padded_length, checkpointing, adapters
    )


def forward_flops_per_token(model: ModelSpec, seq_len: float) -> float:
    return 2 * model.matmul_params + 2 * model.num_layers * seq_len * model.q_dim


@dataclass(frozen=True)
class Anchors:
    """Fitted view of the published table."""

    mfu: dict[str, list[tuple[float, float]]]  # method -> [(params, mfu)] sorted by params
    step_overhead_s: float
    dequant_s_per_bparam: float  # QLoRA seconds per micro-step per billion parameters on an A100
    full_vs_lora: float
    source: str
    as_of: str


def _fit_line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - slope * mx, slope


def _anchor_model(spec: dict[str, Any], name: str) -> ModelSpec:
    d = spec["hidden_size"]
    return ModelSpec(
        id=name,
        name=name,
        hf_id=name,
        family="qwen",
        params_b=spec["params_b"],
        hidden_size=d,
        num_layers=spec["num_layers"],
        num_heads=d // 128,
        num_kv_heads=d // 128,
        intermediate_size=spec["intermediate_size"],
        vocab_size=spec["vocab_size"],
        tie_embeddings=False,
        context_length=8192,
        license="-",
        commercial_use=False,
        chat_template="-",
        good_for=[],
        lora_target_modules=[],
        source="-",
        as_of="-",
    )


@lru_cache(maxsize=1)
def anchors() -> Anchors:
    with (CATALOG_DIR / "throughput.yaml").open(encoding="utf-8") as handle:
        table = yaml.safe_load(handle)
    peak = 312e12
    tokens_per_step = table["batch_size"] * table["gradient_accumulation"]
    fits: dict[tuple[str, str], tuple[float, float]] = {}
    params: dict[str, float] = {}
    for row in table["rows"]:
        model = _anchor_model(table["models"][row["model"]], row["model"])
        params[row["model"]] = model.params
        xs = [
            tokens_per_step * seq * flops_per_token(model, row["method"], seq, True) / peak
            for seq in table["seq_lengths"]
        ]
        overhead, slope = _fit_line(xs, row["step_s"])
        fits[(row["model"], row["method"])] = (max(overhead, 0.0), 1.0 / slope)
    mfu: dict[str, list[tuple[float, float]]] = {}
    for (name, method), (_, value) in fits.items():
        mfu.setdefault(method, []).append((params[name], value))
    lora_overheads = sorted(c for (_, method), (c, _) in fits.items() if method == "lora")
    dequant = [
        (fits[(name, "qlora")][0] - fits[(name, "lora")][0])
        / table["gradient_accumulation"]
        / (params[name] / 1e9)
        for name in params
        if (name, "lora") in fits and (name, "qlora") in fits
    ]
    return Anchors(
        mfu={method: sorted(points) for method, points in mfu.items()},
        step_overhead_s=lora_overheads[len(lora_overheads) // 2],
        dequant_s_per_bparam=sum(dequant) / len(dequant),
        full_vs_lora=float(table["full_mfu_vs_lora"]),
        source=table["source"],
        as_of=table["as_of"],
    )


def _interpolate(points: list[tuple[float, float]], params: float) -> float:
    if len(points) == 1:
        return points[0][1]
    logs = [(math.log10(p), v) for p, v in points]
    x = math.log10(max(params, 1.0))
    (x0, y0), (x1, y1) = (logs[0], logs[1]) if x <= logs[0][0] else (logs[-2], logs[-1])
    for left, right in zip(logs, logs[1:], strict=False):
        if left[0] <= x <= right[0]:
            (x0, y0), (x1, y1) = left, right
            break
    value = y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return min(max(value, MFU_FLOOR), MFU_CEIL)


def published_mfu(method: str, params: float) -> float:
    table = anchors()
    lora = _interpolate(table.mfu["lora"], params)
    if method == "full":
        return lora * table.full_vs_lora
    if method == "qlora":  # same bf16 GEMMs after dequantisation: never faster than LoRA
        return min(lora, _interpolate(table.mfu["qlora"], params))
    return lora


@dataclass(frozen=True)
class DeviceSpeed:
    """How fast one device trains one model with one method."""

    flops_per_s: float  # sustained training FLOP/s
    step_s: float  # fixed cost per optimizer step (scheduler, logging, data loading, sync)
    micro_s: float  # fixed cost per micro-batch (QLoRA dequantisation, Python overhead)
    optimizer_s: float  # full fine-tuning: the optimizer update's memory traffic, per step
    basis: str


def gpu_speed(model: ModelSpec, method: str, gpu: GPUSpec) -> DeviceSpeed:
    table = anchors()
    mfu = published_mfu(method, model.params) * gpu.efficiency_vs_a100
    bandwidth_ratio = A100_BANDWIDTH_GBS / gpu.memory_bandwidth_gbs
    micro = table.dequant_s_per_bparam * model.params_b * bandwidth_ratio if method == "qlora" else 0.0
    optimizer = 0.0
    if method == "full":
        optimizer = model.params * FULL_OPTIMIZER_BYTES * 2 / (gpu.memory_bandwidth_gbs * 1e9 * 0.6)
    return DeviceSpeed(
        flops_per_s=gpu.peak_tflops * 1e12 * mfu,
        step_s=table.step_overhead_s,
        micro_s=micro,
        optimizer_s=optimizer,
        basis=f"published A100 figures (Qwen README) scaled to {gpu.id}: MFU {mfu:.0%} of "
        f"{gpu.peak_tflops:g} TFLOPS",
    )


def cpu_speed(profile: dict[str, Any] | None, method: str = "lora") -> DeviceSpeed:
    values = {**CPU_DEFAULTS, **(profile or {})}
    if method == "full" and values.get("flops_per_s_full"):
        values["flops_per_s"] = values["flops_per_s_full"]
    basis = (
        "local calibration of this CPU (calibrate_cpu)"
        if profile
        else "uncalibrated CPU defaults — run `vibeflow estimate --calibrate` for a ±15% estimate"
    )
    return DeviceSpeed(
        flops_per_s=float(values["flops_per_s"]),
        step_s=float(values["step_s"]),
        micro_s=float(values["micro_s"]),
        optimizer_s=0.0,
        basis=basis,
    )
