"""Runs the real trainer (`python -m vibeflow_trainer run SPEC`) on the demo model and times every phase.

Used by `calibrate_cpu` and by bench/bench_estimator.py. Timings come from the trainer's own events
(stage changes, one metrics event per step, checkpoint events) plus the process's launch and exit times, so
a phase can be fitted on its own and per-step medians shrug off moments when the machine was busy.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vibeflow.recommend.errors import CalibrationError

EVENT_PREFIX = "@@vibeflow@@ "
DEMO = "vibeflow-demo-tiny"
# (method, batch, accumulation, max_seq_length, steps, checkpoint_every, dataset): varied so that per-step
# overhead, per-micro-batch overhead, compute and checkpoint saves can be told apart.
CALIBRATION_RUNS: tuple[tuple[str, int, int, int, int, int, str], ...] = (
    ("lora", 2, 1, 128, 14, 1000, "short"),
    ("lora", 8, 1, 512, 8, 1000, "long"),
    ("lora", 2, 4, 128, 6, 1000, "short"),
    ("full", 2, 1, 128, 12, 1000, "short"),
    ("full", 4, 1, 256, 10, 4, "long"),
)
DATASETS = {"short": (64, 11, 1), "long": (160, 12, 6)}  # rows, seed, max turns per conversation
TRAINER_FIX = (
    "install the trainer extras (`pip install -e '.[trainer]'`) or set VIBEFLOW_TRAINER_PYTHON to a "
    "Python that has vibeflow_trainer, torch, transformers, peft and trl"
)


def trainer_python() -> str:
    return os.environ.get("VIBEFLOW_TRAINER_PYTHON") or sys.executable


def check_trainer() -> None:
    """Raise CalibrationError when the trainer cannot run from this interpreter (checked without importing)."""
    if os.environ.get("VIBEFLOW_TRAINER_PYTHON"):
        return
    missing = [
        name
        for name in ("vibeflow_trainer", "torch", "transformers", "peft", "trl")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise CalibrationError(f"the trainer cannot run here: missing {', '.join(missing)}", fix=TRAINER_FIX)


def write_dataset(path: Path, rows: int, seed: int, max_turns: int = 1, workdir: Path | None = None) -> Path:
    """Demo support chats from the trainer (`demo-data`), joined into 1..max_turns-turn conversations."""
    base = (workdir or path.parent) / f".base-{seed}.jsonl"
    result = subprocess.run(
        [
            trainer_python(),
            "-m",
            "vibeflow_trainer",
            "demo-data",
            str(base),
            "--rows",
            str(rows * max_turns),
            "--seed",
            str(seed),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise CalibrationError(
            "the trainer could not write demo data: " + result.stderr.strip()[-400:], fix=TRAINER_FIX
        )
    chats = [json.loads(line)["messages"] for line in base.read_text(encoding="utf-8").splitlines() if line]
    base.unlink(missing_ok=True)
    rng = random.Random(seed)
    out, i = [], 0
    for row in range(rows):
        turns = rng.randint(1, max_turns)
        messages = list(chats[i % len(chats)])
        for extra in chats[i + 1 : i + turns]:
            messages += [m for m in extra if m["role"] != "system"]
        i += turns
        out.append(json.dumps({"row": row + 1, "messages": messages}))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def token_stats(path: Path) -> dict[str, float]:
    """Mean prompt/response tokens (demo tokenizer, ChatML as the trainer renders it), length spread, max."""
    from tokenizers import Tokenizer

    from vibeflow.recommend.workload import TEMPLATE_TOKENS
    from vibeflow_trainer.assets_paths import DEMO_TOKENIZER_JSON

    tokenizer = Tokenizer.from_file(str(DEMO_TOKENIZER_JSON))
    totals, outs = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line:
            continue
        messages = json.loads(line)["messages"]
        text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        totals.append(len(tokenizer.encode(text).ids))
        outs.append(
            sum(
                len(tokenizer.encode(m["content"] + "<|im_end|>").ids)
                for m in messages
                if m["role"] == "assistant"
            )
        )
    mean = statistics.mean(totals)
    out = statistics.mean(outs)
    # estimate() adds TEMPLATE_TOKENS to in + out: hand it the rendered mean exactly.
    return {
        "avg_tokens_in": mean - out - TEMPLATE_TOKENS,
        "avg_tokens_out": out,
        "mean_tokens": mean,
        "length_cv": statistics.pstdev(totals) / mean,
        "max_tokens": max(totals),
        "rows": len(totals),
    }


@dataclass
class TrainerRun:
    """One trainer process: its spec, phase timings (seconds) and per-step durations."""

    spec: dict[str, Any]
    returncode: int
    wall_s: float
    phases: dict[str, float] = field(default_factory=dict)
    step_s: list[float] = field(default_factory=list)
    first_step_s: float = 0.0
    checkpoint_s: list[float] = field(default_factory=list)
    steps: int = 0
    tokens_per_s: float | None = None
    error: str = ""

    @property
    def median_step_s(self) -> float:
        return statistics.median(self.step_s) if self.step_s else 0.0

    @property
    def typical_step_s(self) -> float:
        """Lower quartile of the step times: on a shared machine other processes only ever add time."""
        if not self.step_s:
            return 0.0
        ordered = sorted(self.step_s)
        return ordered[(len(ordered) - 1) // 4]


def _parse(events: list[dict[str, Any]], launched: float, exited: float, run: TrainerRun) -> None:
    stages = {e["stage"]: e["ts"] for e in events if e.get("type") == "stage"}
    needed = ("preprocessing", "model_loading", "training", "finalizing")
    if not all(s in stages for s in needed):
        return
    run.phases = {
        "boot": stages["preprocessing"] - launched,
        "preprocessing": stages["model_loading"] - stages["preprocessing"],
        "model_loading": stages["training"] - stages["model_loading"],
        "training": stages["finalizing"] - stages["training"],
        "finalizing": exited - stages["finalizing"],
    }
    previous = stages["training"]
    timeline = [e for e in events if e.get("type") in ("metrics", "checkpoint") and "eval_loss" not in e]
    for event in timeline:
        gap = event["ts"] - previous
        if event["type"] == "checkpoint":
            run.checkpoint_s.append(gap)
        elif event.get("step") == 1:
            run.first_step_s = gap
        else:
            run.step_s.append(gap)
        previous = event["ts"]
        if event["type"] == "metrics":
            run.steps = max(run.steps, int(event["step"]))
    rates = [e["tokens_per_s"] for e in timeline if e.get("tokens_per_s")]
    run.tokens_per_s = statistics.median(rates) if rates else None


def wait_for_quiet(max_load: float, max_wait_s: float) -> float:
    """Wait (up to max_wait_s) until the 1-minute load average drops below max_load; returns the load seen."""
    if not hasattr(os, "getloadavg"):
        return 0.0
    deadline = time.time() + max_wait_s
    load = os.getloadavg()[0]
    while load >= max_load and time.time() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


def make_datasets(root: Path) -> tuple[dict[str, Path], dict[str, dict[str, float]]]:
    paths = {
        name: write_dataset(root / f"{name}.jsonl", rows, seed=seed, max_turns=turns, workdir=root)
        for name, (rows, seed, turns) in DATASETS.items()
    }
    return paths, {name: token_stats(path) for name, path in paths.items()}


def calibration_runs(
    root: Path, progress: Any = None, quiet_load: float | None = None, max_wait_s: float = 120
) -> list[tuple[TrainerRun, dict[str, float]]]:
    """Run the calibration configurations on the demo model; returns each run with its dataset's stats."""
    paths, stats = make_datasets(root)
    runs = []
    for index, (method, batch, accum, seq, steps, every, data) in enumerate(CALIBRATION_RUNS, start=1):
        if progress:
            progress(
                f"calibration run {index}/{len(CALIBRATION_RUNS)}: {method} batch {batch}x{accum} "
                f"seq {seq}, {steps} steps"
            )
        if quiet_load:
            wait_for_quiet(quiet_load, max_wait_s)
        spec = {
            "train_path": str(paths[data]),
            "base_model": DEMO,
            "method": method,
            "batch_size": batch,
            "gradient_accumulation": accum,
            "max_seq_length": seq,
            "max_steps": steps,
            "checkpoint_every": every,
            "keep_checkpoints": 2,
            "lora_r": 8,
            "lora_alpha": 16,
            "learning_rate": 1e-3 if method == "lora" else 1e-4,
        }
        runs.append((run_trainer(spec, root / "runs"), stats[data]))
    return runs


def run_trainer(spec: dict[str, Any], workdir: Path, timeout_s: float = 900) -> TrainerRun:
    """Write `spec` (output_dir filled in under workdir), run the trainer, and time it."""
    workdir.mkdir(parents=True, exist_ok=True)
    spec = {"gradient_stats_every": 0, "log_every": 1, **spec}
    spec.setdefault("output_dir", str(workdir / f"run-{time.time_ns()}"))
    spec_path = Path(spec["output_dir"]).with_suffix(".spec.json")
    spec_path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}
    launched = time.time()
    try:
        proc = subprocess.run(
            [trainer_python(), "-m", "vibeflow_trainer", "run", str(spec_path)],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=env,
        )
    except subprocess.TimeoutExpired as error:
        raise CalibrationError(
            f"the trainer ran past {timeout_s:.0f}s", fix="retry when the machine is idle"
        ) from error
    exited = time.time()
    run = TrainerRun(spec=spec, returncode=proc.returncode, wall_s=exited - launched)
    events = []
    for line in proc.stdout.splitlines():
        if line.startswith(EVENT_PREFIX):
            try:
                events.append(json.loads(line[len(EVENT_PREFIX) :]))
            except ValueError:
                continue
    errors = [e for e in events if e.get("type") == "error"]
    if proc.returncode != 0:
        run.error = errors[-1]["message"] if errors else (proc.stderr.strip()[-600:] or "no output")
        return run
    _parse(events, launched, exited, run)
    return run
