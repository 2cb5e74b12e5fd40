"""`calibrate_cpu()`: a quick local calibration — a few short real trainer runs, fitted.

The runs use SmolLM2-135M-Instruct, the offline default base (what users train on this machine); the
random-weights tiny model has its own seconds-long set for tests. The runs (about 3–4 minutes on 2 cores for
SmolLM2) vary batch size, sequence length, gradient accumulation, method and checkpointing. From their events
we fit, by non-negative least squares, the per-step cost model the estimator uses on CPU:

    step time = step_s + micro_s x accumulation + FLOPs per step / flops_per_s[method]
                (+ optimizer_s_per_param x parameters, full fine-tuning only: AdamW over every weight)

(step time: the run's median seconds per token times the tokens per step the plan counts — batches differ in
length, and the median shrugs off steps slowed by other processes; FLOPs as the estimator counts them,
`throughput.training_flops`; LoRA and full fine-tuning get separate rates: measured on this CPU, a LoRA step
costs more per token than its FLOP count says, relative to full fine-tuning)
    checkpoint save  = ckpt_s + save_s_per_byte x bytes   (every run saves at its end: LoRA small, full large)
    finalizing       = final_s + save_s_per_byte x final output bytes
    model_loading    = load_s + per_row_s x rows
    first step       = step time + train_fixed_s + warmup_steps x step time
    boot: median

and store the result in $VIBEFLOW_HOME/calibration.json (`cpu`), with the model it was measured on.
"""

from __future__ import annotations

import itertools
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from vibeflow.recommend.calibration import save_cpu_profile
from vibeflow.recommend.catalog import find_model
from vibeflow.recommend.errors import CalibrationError
from vibeflow.recommend.throughput import training_flops
from vibeflow.recommend.timing import SAVE_BYTES_S, checkpoint_bytes, final_output_bytes
from vibeflow.recommend.trainer_runs import (
    DEFAULT_CALIBRATION_MODEL,
    DEMO,
    TrainerRun,
    calibration_runs,
    check_trainer,
    current_load,
    runs_for,
)
from vibeflow.recommend.workload import plan


def _nnls(rows: list[list[float]], target: list[float]) -> list[float]:
    """Non-negative least squares by trying every subset of columns (few unknowns, exact and simple)."""
    import numpy as np

    a, b = np.array(rows, dtype=float), np.array(target, dtype=float)
    scale = np.where(a.max(axis=0) > 0, a.max(axis=0), 1.0)
    a = a / scale
    best, best_err = np.zeros(a.shape[1]), float("inf")
    for size in range(1, a.shape[1] + 1):
        for cols in itertools.combinations(range(a.shape[1]), size):
            sol, *_ = np.linalg.lstsq(a[:, cols], b, rcond=None)
            if (sol < 0).any():
                continue
            full = np.zeros(a.shape[1])
            full[list(cols)] = sol
            err = float(np.sum((a @ full - b) ** 2))
            if err < best_err - 1e-15:
                best, best_err = full, err
    return [float(v) for v in best / scale]


def run_features(run: TrainerRun, stats: dict[str, float]) -> dict[str, float]:
    """Work of one step of `run` as the estimator counts it (so calibration and estimate agree)."""
    spec = run.spec
    model = find_model(spec.get("base_model", DEMO))
    method = spec["method"]
    work = plan(
        model,
        n_examples=int(stats["rows"]),
        avg_tokens_in=stats["avg_tokens_in"],
        avg_tokens_out=stats["avg_tokens_out"],
        max_seq_length=spec["max_seq_length"],
        batch_size=spec["batch_size"],
        gradient_accumulation=spec.get("gradient_accumulation", 1),
        num_epochs=None,
        max_steps=spec["max_steps"],
        length_cv=stats["length_cv"],
    )
    rank, targets = int(spec.get("lora_r", 16)), spec.get("lora_target_modules", "auto")
    flops = training_flops(model, method, work, False, rank, targets)
    return {
        "accumulation": float(spec.get("gradient_accumulation", 1)),
        "flops_per_step": flops / work.steps,
        "tokens_per_step": work.tokens_total / work.steps,
        "params": model.params,
        "checkpoint_bytes": checkpoint_bytes(
            model, method, rank, targets, spec.get("optimizer", "adamw_torch")
        ),
        "final_bytes": final_output_bytes(model, method, rank, targets),
    }


def step_time(run: TrainerRun, tokens_per_step: float) -> float:
    """A run's step time at the plan's tokens per step (the work its features count).

    Batches differ in length, and a short run sees only a few: the median seconds per token of its steps times
    the planned tokens per step removes that, and the median shrugs off steps slowed by other processes. Where
    the trainer reported no tokens, the median step time."""
    pairs = [(t, n) for t, n in zip(run.step_s, run.step_tokens, strict=False) if n > 0]
    if not pairs or len(pairs) < len(run.step_s) or tokens_per_step <= 0:
        return run.median_step_s
    return statistics.median(t / n for t, n in pairs) * tokens_per_step


def _step_row(feats: dict[str, float], full: bool) -> list[float]:
    """Unknowns: per-step overhead, per micro-batch, seconds per LoRA FLOP, per full FLOP, per full parameter."""
    flops = feats["flops_per_step"]
    return [
        1.0,
        feats["accumulation"],
        0.0 if full else flops,
        flops if full else 0.0,
        feats["params"] if full else 0.0,
    ]


def _saves(good: list[tuple[TrainerRun, dict[str, Any]]]) -> tuple[float, float, float]:
    """(fixed seconds per checkpoint, seconds per byte saved, fixed finalizing seconds).

    Every run saves a checkpoint at its end (adapter or full weights + optimizer state), so LoRA and full runs
    give small and large saves; the finalizing phase (final weights, tokenizer, manifest) shares the byte rate."""
    rows, times = [], []
    for run, feats in good:
        for seconds in run.checkpoint_s:
            rows.append([1.0, feats["checkpoint_bytes"]])
            times.append(seconds)
    ckpt_s, per_byte = _nnls(rows, times) if rows else (0.2, 1.0 / SAVE_BYTES_S)
    final_s = statistics.median(
        max(run.phases["finalizing"] - feats["final_bytes"] * per_byte, 0.0) for run, feats in good
    )
    return min(ckpt_s, 5.0), per_byte, final_s


def _summary(run: TrainerRun, feats: dict[str, float], step_s: float, fitted_s: float) -> dict[str, Any]:
    """What the profile keeps of one calibration run (to see how well the fit matches it)."""
    keys = ("method", "batch_size", "gradient_accumulation", "max_seq_length", "max_steps")
    tokens = [n for n in run.step_tokens if n > 0]
    return {
        "spec": {k: run.spec[k] for k in keys},
        "wall_s": round(run.wall_s, 2),
        "step_s": round(step_s, 4),
        "fitted_step_s": round(fitted_s, 4),
        "tokens_vs_plan": round(statistics.mean(tokens) / feats["tokens_per_step"], 3) if tokens else None,
        "phases": {k: round(v, 3) for k, v in run.phases.items()},
    }


def fit_profile(runs: list[tuple[TrainerRun, dict[str, float]]]) -> dict[str, Any]:
    """The CPU speed profile from timed runs (each with the token stats of its dataset)."""
    usable = [(r, s) for r, s in runs if r.returncode == 0 and r.phases and r.step_s]
    if len(usable) < 3:
        failures = "; ".join(r.error[:200] for r, _ in runs if r.error) or "too few usable runs"
        raise CalibrationError(
            f"calibration needs 3 successful trainer runs: {failures}",
            fix="check that `python -m vibeflow_trainer run` trains the calibration model, then retry",
        )
    featured = [(run, run_features(run, stats)) for run, stats in usable]
    design = [_step_row(feats, run.spec["method"] == "full") for run, feats in featured]
    target = [step_time(run, feats["tokens_per_step"]) for run, feats in featured]
    step_s, micro_s, seconds_per_flop, seconds_per_flop_full, optimizer_s_per_param = _nnls(design, target)
    if seconds_per_flop_full <= 0:  # no (usable) full run, or its time went to the optimizer column
        seconds_per_flop_full = seconds_per_flop
    if seconds_per_flop <= 0:
        raise CalibrationError(
            "could not separate compute from overhead in the calibration runs",
            fix="retry when the machine is idle (other processes were competing for the CPU)",
        )
    loads = [[1.0, float(s["rows"])] for _, s in usable]
    load_s, per_row_s = _nnls(loads, [r.phases["model_loading"] for r, _ in usable])
    # The first step also sets training up and touches every buffer once: a fixed part plus a fraction of a step.
    train_fixed_s, warmup_steps = _nnls(
        [[1.0, t] for t in target],
        [max(r.first_step_s - t, 0.0) for (r, _), t in zip(usable, target, strict=True)],
    )
    ckpt_s, save_s_per_byte, final_s = _saves(featured)
    coefficients = [step_s, micro_s, seconds_per_flop, seconds_per_flop_full, optimizer_s_per_param]
    predicted = [sum(c * x for c, x in zip(coefficients, row, strict=True)) for row in design]
    errors = [abs(p - t) / t for p, t in zip(predicted, target, strict=True) if t > 0]
    model = usable[0][0].spec.get("base_model", DEMO)
    return {
        "model": model,
        "model_params": find_model(model).params,
        "flops_per_s": 1.0 / seconds_per_flop,
        "flops_per_s_full": 1.0 / seconds_per_flop_full,
        "step_s": step_s,
        "micro_s": micro_s,
        "optimizer_s_per_param": optimizer_s_per_param,
        "train_fixed_s": train_fixed_s,
        "warmup_steps": warmup_steps,
        "ckpt_s": ckpt_s,
        "save_s_per_byte": save_s_per_byte,
        "boot_s": statistics.median(r.phases["boot"] + r.phases["preprocessing"] for r, _ in usable),
        "load_s": load_s,
        "per_row_s": per_row_s,
        "final_s": final_s,
        "fit_error": round(statistics.mean(errors), 4) if errors else 0.05,
        "runs": [_summary(r, f, t, p) for (r, f), t, p in zip(featured, target, predicted, strict=True)],
        "host": {
            "cores": os.cpu_count(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "load_avg_1m": current_load(),
        },
        "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def calibrate_cpu(
    *,
    workdir: Path | None = None,
    save: bool = True,
    progress: Any = None,
    quiet_load: float | None = None,
    model: str = DEFAULT_CALIBRATION_MODEL,
) -> dict[str, Any]:
    """Run the calibration on `model` (SmolLM2 by default: about 3–4 minutes on 2 cores) and store the profile.

    `progress(text)`: a line before and after each trainer run. `quiet_load`: wait before each run until the
    1-minute load average is below this (shared machines)."""
    check_trainer()
    with tempfile.TemporaryDirectory(prefix="vibeflow-calib-") as tmp:
        runs = calibration_runs(Path(workdir or tmp), progress, quiet_load, model=model)
    profile = fit_profile(runs)
    profile["calibration_runs"] = len(runs_for(model))
    if save:
        save_cpu_profile(profile)
    return profile
