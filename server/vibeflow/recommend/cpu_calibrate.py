"""`calibrate_cpu()`: a quick local calibration — a few short real trainer runs on the demo model, fitted.

Five runs (~1–3 minutes) vary batch size, sequence length, gradient accumulation, method and checkpointing.
From their events we fit, by non-negative least squares, the per-step cost model the estimator uses on CPU:

    step time = step_s + micro_s x accumulation + FLOPs per step / flops_per_s[method]

(step time: the lower quartile of a run's step times, robust to other processes; LoRA and full fine-tuning
get separate rates because on small models PEFT's per-adapter work, not FLOPs, dominates a LoRA step)
    model_loading    = load_s + per_row_s x rows
    boot, finalizing, first-step warm-up and checkpoint saves: medians

and store the result in $VIBEFLOW_HOME/calibration.json (`cpu`).
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
from vibeflow.recommend.throughput import flops_per_token
from vibeflow.recommend.trainer_runs import (
    CALIBRATION_RUNS,
    DEMO,
    TrainerRun,
    calibration_runs,
    check_trainer,
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
    per_token = flops_per_token(model, spec["method"], work.padded_length, False)
    tokens_per_step = spec["batch_size"] * spec.get("gradient_accumulation", 1) * work.padded_length
    return {
        "accumulation": float(spec.get("gradient_accumulation", 1)),
        "flops_per_step": per_token * tokens_per_step,
    }


def fit_profile(runs: list[tuple[TrainerRun, dict[str, float]]]) -> dict[str, Any]:
    """The CPU speed profile from timed runs (each with the token stats of its dataset)."""
    good = [(r, s) for r, s in runs if r.returncode == 0 and r.phases and r.step_s]
    if len(good) < 3:
        failures = "; ".join(r.error[:200] for r, _ in runs if r.error) or "too few usable runs"
        raise CalibrationError(
            f"calibration needs 3 successful trainer runs: {failures}",
            fix="check `python -m vibeflow_trainer run` works on the demo model, then retry",
        )
    design, target = [], []
    for run, stats in good:
        feats = run_features(run, stats)
        full = run.spec["method"] == "full"
        design.append(
            [
                1.0,
                feats["accumulation"],
                0.0 if full else feats["flops_per_step"],
                feats["flops_per_step"] if full else 0.0,
            ]
        )
        target.append(run.typical_step_s)
    step_s, micro_s, seconds_per_flop, seconds_per_flop_full = _nnls(design, target)
    if seconds_per_flop_full <= 0:  # no (usable) full run: assume the same rate
        seconds_per_flop_full = seconds_per_flop
    if seconds_per_flop <= 0:
        raise CalibrationError(
            "could not separate compute from overhead in the calibration runs",
            fix="retry when the machine is idle (other processes were competing for the CPU)",
        )
    loads = [[1.0, float(s["rows"])] for _, s in good]
    load_s, per_row_s = _nnls(loads, [r.phases["model_loading"] for r, _ in good])
    warmups = [max(r.first_step_s - r.typical_step_s, 0.0) for r, _ in good]
    ckpts = [c for r, _ in good for c in r.checkpoint_s]
    predicted = [
        step_s + micro_s * row[1] + seconds_per_flop * row[2] + seconds_per_flop_full * row[3]
        for row in design
    ]
    errors = [abs(p - t) / t for p, t in zip(predicted, target, strict=True) if t > 0]
    return {
        "flops_per_s": 1.0 / seconds_per_flop,
        "flops_per_s_full": 1.0 / seconds_per_flop_full,
        "step_s": step_s,
        "micro_s": micro_s,
        "train_fixed_s": statistics.median(warmups),
        "ckpt_s": min(statistics.median(ckpts), 5.0) if ckpts else 0.2,
        "boot_s": statistics.median(r.phases["boot"] + r.phases["preprocessing"] for r, _ in good),
        "load_s": load_s,
        "per_row_s": per_row_s,
        "final_s": statistics.median(r.phases["finalizing"] for r, _ in good),
        "fit_error": round(statistics.mean(errors), 4) if errors else 0.05,
        "runs": [
            {
                "spec": {
                    k: r.spec[k]
                    for k in ("method", "batch_size", "gradient_accumulation", "max_seq_length", "max_steps")
                },
                "wall_s": round(r.wall_s, 2),
                "typical_step_s": round(r.typical_step_s, 4),
                "phases": {k: round(v, 3) for k, v in r.phases.items()},
            }
            for r, _ in good
        ],
        "host": {
            "cores": os.cpu_count(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "load_avg_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
        "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def calibrate_cpu(
    *, workdir: Path | None = None, save: bool = True, progress: Any = None, quiet_load: float | None = None
) -> dict[str, Any]:
    """Run the calibration (about 1–3 minutes) and store the CPU profile; returns it.

    `quiet_load`: wait before each run until the 1-minute load average is below this (shared machines)."""
    check_trainer()
    with tempfile.TemporaryDirectory(prefix="vibeflow-calib-") as tmp:
        runs = calibration_runs(Path(workdir or tmp), progress, quiet_load)
    profile = fit_profile(runs)
    profile["calibration_runs"] = len(CALIBRATION_RUNS)
    if save:
        save_cpu_profile(profile)
    return profile
