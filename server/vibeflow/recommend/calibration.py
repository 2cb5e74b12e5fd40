"""Learns from measured runs: per-(device, model, method) correction factors and the local CPU's speed profile.

Stored in `$VIBEFLOW_HOME/calibration.json` (atomic writes, file lock). Each finished run reports its
estimate and its measured time through `record_actual`; the ratio actual / uncorrected-estimate updates an
exponentially weighted moving average (in log space, alpha 0.3) for the most specific key and its parents
(device+method, device). Estimates multiply the training part of the time by the most specific factor that
has data, and narrow their range as the observed error shrinks.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vibeflow.recommend.schemas import Method

ALPHA = 0.3
MAX_MEASUREMENTS = 500
_LOCK = threading.Lock()


class RunMeasurement(BaseModel):
    """What the runs module knows when a run ends: its estimate and what actually happened."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    device: str = Field(description="GPU id as in the catalog, or 'cpu'")
    base_model: str
    method: Method
    estimated_seconds: float = Field(gt=0, description="the estimate's time.seconds made before the run")
    actual_seconds: float = Field(gt=0, description="measured wall time of the whole run")
    estimated_training_seconds: float | None = Field(None, gt=0, description="time.breakdown.training_s")
    actual_training_seconds: float | None = Field(None, gt=0, description="training stage → finalizing stage")
    correction_factor_used: float = Field(1.0, gt=0, description="time.correction_factor of the estimate")
    estimated_cost_usd: float | None = None
    actual_cost_usd: float | None = None
    estimated_tokens_per_s: float | None = None
    actual_tokens_per_s: float | None = None


class RecordedRun(BaseModel):
    measurement: RunMeasurement
    error_pct: float = Field(description="(actual - estimated) / estimated x 100, whole run")
    ratio: float = Field(description="actual / uncorrected estimate of the corrected part")
    recorded_at: float


class Correction(BaseModel):
    factor: float = 1.0
    samples: int = 0
    mean_abs_log_error: float | None = None
    key: str | None = None


def calibration_path() -> Path:
    from vibeflow.settings import load_settings

    return load_settings().home / "calibration.json"


def _empty() -> dict[str, Any]:
    return {"version": 1, "cpu": None, "factors": {}, "measurements": []}


def load_store(path: Path | None = None) -> dict[str, Any]:
    file = path or calibration_path()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return _empty()
    return {**_empty(), **data} if isinstance(data, dict) else _empty()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, open(path.with_suffix(".lock"), "a+") as handle:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except ImportError:  # Windows: the thread lock still serialises this process
            pass
        yield


def _save(data: dict[str, Any], path: Path) -> None:
    staged = path.with_suffix(".json.partial")
    staged.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(staged, path)


def update_store(change: Any, path: Path | None = None) -> dict[str, Any]:
    """Apply `change(data)` to the stored calibration under the file lock and save it."""
    file = path or calibration_path()
    with _locked(file):
        data = load_store(file)
        change(data)
        _save(data, file)
    return data


def keys_for(device: str, model: str, method: str) -> list[str]:
    """Correction keys from most to least specific."""
    return [f"{device}|{model}|{method}", f"{device}|*|{method}", f"{device}|*|*"]


def _update_factor(entry: dict[str, Any] | None, ratio: float, abs_err: float) -> dict[str, Any]:
    log_ratio = math.log(ratio)
    if not entry:
        return {"log_factor": log_ratio, "samples": 1, "mean_abs_log_error": abs_err}
    return {
        "log_factor": (1 - ALPHA) * entry["log_factor"] + ALPHA * log_ratio,
        "samples": int(entry["samples"]) + 1,
        "mean_abs_log_error": (1 - ALPHA) * float(entry["mean_abs_log_error"]) + ALPHA * abs_err,
    }


def record_actual(measurement: RunMeasurement | dict[str, Any], path: Path | None = None) -> RecordedRun:
    """Store a finished run's estimate vs actual and update the correction factors future estimates use."""
    m = measurement if isinstance(measurement, RunMeasurement) else RunMeasurement.model_validate(measurement)
    if m.estimated_training_seconds and m.actual_training_seconds:
        estimated, actual = m.estimated_training_seconds, m.actual_training_seconds
    else:
        estimated, actual = m.estimated_seconds, m.actual_seconds
    ratio = actual / (estimated / m.correction_factor_used)
    abs_err = abs(math.log(actual / estimated))
    record = RecordedRun(
        measurement=m,
        ratio=round(ratio, 4),
        recorded_at=time.time(),
        error_pct=round(100 * (m.actual_seconds - m.estimated_seconds) / m.estimated_seconds, 2),
    )

    def change(data: dict[str, Any]) -> None:
        for key in keys_for(m.device, m.base_model, m.method):
            data["factors"][key] = _update_factor(data["factors"].get(key), ratio, abs_err)
        data["measurements"] = [*data["measurements"], record.model_dump()][-MAX_MEASUREMENTS:]

    update_store(change, path)
    return record


def correction_for(device: str, model: str, method: str, store: dict[str, Any] | None = None) -> Correction:
    """The factor to multiply the training time by (1.0 and 0 samples when nothing was measured yet)."""
    data = store if store is not None else load_store()
    for key in keys_for(device, model, method):
        entry = data.get("factors", {}).get(key)
        if entry:
            return Correction(
                factor=round(math.exp(entry["log_factor"]), 4),
                samples=int(entry["samples"]),
                mean_abs_log_error=float(entry["mean_abs_log_error"]),
                key=key,
            )
    return Correction()


def cpu_profile(store: dict[str, Any] | None = None) -> dict[str, Any] | None:
    data = store if store is not None else load_store()
    profile = data.get("cpu")
    return profile if isinstance(profile, dict) and profile.get("flops_per_s") else None


def save_cpu_profile(profile: dict[str, Any], path: Path | None = None) -> None:
    def change(data: dict[str, Any]) -> None:
        data["cpu"] = profile

    update_store(change, path)


def history(limit: int = 50, path: Path | None = None) -> list[dict[str, Any]]:
    return list(load_store(path)["measurements"])[-limit:]
