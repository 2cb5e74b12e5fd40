"""The run's durable records besides events: metrics.csv (one row per metrics event) and manifest.json."""

from __future__ import annotations

import csv
import importlib.metadata
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

METRIC_COLUMNS = (
    "step",
    "epoch",
    "loss",
    "eval_loss",
    "learning_rate",
    "grad_norm",
    "token_accuracy",
    "tokens_per_s",
    "samples_per_s",
    "eta_s",
    "gpu_mem_used_mb",
    "gpu_mem_total_mb",
    "gpu_util_pct",
    "ts",
)
_PACKAGES = (
    "torch",
    "transformers",
    "peft",
    "trl",
    "accelerate",
    "datasets",
    "tokenizers",
    "safetensors",
    "bitsandbytes",
)


class MetricsCsv:
    """Appends metrics rows; on resume, rows after the restored step are dropped so the file has no repeats."""

    def __init__(self, path: Path, keep_through_step: int | None = None) -> None:
        self.path = path
        if path.exists() and keep_through_step is not None:
            with path.open(newline="", encoding="utf-8") as handle:
                rows = [
                    r for r in csv.DictReader(handle) if r.get("step") and int(r["step"]) <= keep_through_step
                ]
            self._rewrite(rows)
        elif not path.exists() or keep_through_step is None:
            self._rewrite([])
        self._handle = path.open("a", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._handle, fieldnames=METRIC_COLUMNS, extrasaction="ignore")

    def _rewrite(self, rows: list[dict[str, Any]]) -> None:
        tmp = self.path.with_suffix(".csv.tmp")
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=METRIC_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, self.path)

    def append(self, event: dict[str, Any]) -> None:
        self._writer.writerow({k: event.get(k, "") for k in METRIC_COLUMNS})
        self._handle.flush()

    def sync(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if not self._handle.closed:
            self.sync()
            self._handle.close()


def package_versions() -> dict[str, str]:
    versions = {}
    for name in ("vibeflow", *_PACKAGES):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(cwd: Path | None = None) -> dict[str, Any] | None:
    """Commit and uncommitted diff of the working directory's repository, or None outside git."""
    where = cwd or Path.cwd()
    commit = _git(["rev-parse", "HEAD"], where)
    if commit is None:
        return None
    diff = _git(["diff", "HEAD"], where) or ""
    return {"commit": commit.strip(), "dirty": bool(diff), "diff": diff[:1_000_000]}


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    """Atomically (tmp + rename) write manifest.json."""
    data = {**data, "updated_at": time.time()}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
