"""Runs the real trainer (`python -m vibeflow_trainer run SPEC`) on a packaged base model and times every phase.

Used by `calibrate_cpu` and by bench/bench_estimator.py. Calibration runs on SmolLM2-135M-Instruct, the
offline default base (what users train here); the random-weights tiny model keeps its own, seconds-long set of
runs for tests of the fitting code. Timings come from the trainer's own events
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
SMOLLM2 = "smollm2-135m-instruct"
DEFAULT_CALIBRATION_MODEL = SMOLLM2  # the offline default base: what users train
# (method, batch, accumulation, max_seq_length, steps, checkpoint_every, dataset): varied so that per-step
# overhead, per-micro-batch overhead, compute and checkpoint saves can be told apart.
RunConfig = tuple[str, int, int, int, int, int, str]
CALIBRATION_RUNS: tuple[RunConfig, ...] = (  # the random-init tiny model: fast, for tests
    ("lora", 2, 1, 128, 14, 1000, "short"),
    ("lora", 8, 1, 512, 8, 1000, "long"),
    ("lora", 2, 4, 128, 6, 1000, "short"),
    ("full", 2, 1, 128, 12, 1000, "short"),
    ("full", 4, 1, 256, 10, 4, "long"),
)
# SmolLM2-135M on 2 cores (measured: a LoRA step at batch 4, seq 256 5–7 s, ~10 s on a busy machine; full at
# batch 2, seq 128 ~2 s):
# few steps each (about 3–4 minutes in all), tokens per step 1–7x apart, accumulation 1 and 4, and two full runs
# of different size (compute vs the optimizer update); the last one also saves a full checkpoint mid-run.
REAL_MODEL_RUNS: tuple[RunConfig, ...] = (
    ("lora", 2, 1, 128, 8, 1000, "short"),
    ("lora", 4, 1, 256, 5, 1000, "long"),
    ("lora", 1, 4, 128, 6, 1000, "short"),
    ("full", 2, 1, 128, 8, 1000, "short"),
    ("full", 4, 1, 256, 5, 3, "long"),
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


def _render(model: str, messages: list[dict[str, str]]) -> str:
    """The conversation as the trainer renders it: ChatML, plus SmolLM2's default system prompt when none."""
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    if model == SMOLLM2 and (not messages or messages[0]["role"] != "system"):
        from vibeflow_trainer.templates import SMOLLM2_SYSTEM_PROMPT

        text = f"<|im_start|>system\n{SMOLLM2_SYSTEM_PROMPT}<|im_end|>\n" + text
    return text


def token_stats(path: Path, model: str = DEMO) -> dict[str, float]:
    """Mean prompt/response tokens (the model's tokenizer and chat template), length spread, max."""
    from tokenizers import Tokenizer

    from vibeflow.data.tokens import shipped_tokenizer_path
    from vibeflow.recommend.workload import TEMPLATE_TOKENS

    tokenizer = Tokenizer.from_file(str(shipped_tokenizer_path(model)))
    totals, outs = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line:
            continue
        messages = json.loads(line)["messages"]
        totals.append(len(tokenizer.encode(_render(model, messages), add_special_tokens=False).ids))
        outs.append(
            sum(
                len(tokenizer.encode(m["content"] + "<|im_end|>", add_special_tokens=False).ids)
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
    step_tokens: list[float] = field(default_factory=list)  # tokens of each of step_s (0: not reported)
    first_step_s: float = 0.0
    checkpoint_s: list[float] = field(default_factory=list)
    steps: int = 0
    tokens_per_s: float | None = None
    error: str = ""

    @property
    def median_step_s(self) -> float:
        return statistics.median(self.step_s) if self.step_s else 0.0


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
            run.step_tokens.append(float(event.get("tokens_per_s") or 0.0) * gap)
        previous = event["ts"]
        if event["type"] == "metrics":
            run.steps = max(run.steps, int(event["step"]))
    rates = [e["tokens_per_s"] for e in timeline if e.get("tokens_per_s")]
    run.tokens_per_s = statistics.median(rates) if rates else None


def current_load() -> float:
    """The 1-minute load average (0 where the platform has none)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def wait_for_quiet(max_load: float, max_wait_s: float) -> float:
    """Wait (up to max_wait_s) until the 1-minute load average drops below max_load; returns the load seen."""
    deadline = time.time() + max_wait_s
    load = current_load()
    while load >= max_load and time.time() < deadline:
        time.sleep(5)
        load = current_load()
    return load


def make_datasets(root: Path, model: str = DEMO) -> tuple[dict[str, Path], dict[str, dict[str, float]]]:
    paths = {
        name: write_dataset(root / f"{name}.jsonl", rows, seed=seed, max_turns=turns, workdir=root)
        for name, (rows, seed, turns) in DATASETS.items()
    }
    return paths, {name: token_stats(path, model) for name, path in paths.items()}


def prepare_model(model: str, progress: Any = None) -> None:
    """Build the packaged model once before anything is timed (SmolLM2's first use dequantizes a GGUF)."""
    if model not in (DEMO, SMOLLM2):
        raise CalibrationError(
            f"calibration runs on a packaged base model ({SMOLLM2} or {DEMO}), not {model}",
            fix=f"calibrate on {SMOLLM2}: the profile it measures (this CPU's speed) applies to other models",
        )
    if progress:
        progress(f"checking {model} is ready (its first use builds it once, about 30 s)")
    code = (
        "import sys; from vibeflow_trainer.models import resolve_base_model; resolve_base_model(sys.argv[1])"
    )
    result = subprocess.run([trainer_python(), "-c", code, model], capture_output=True, text=True)
    if result.returncode != 0:
        raise CalibrationError(
            f"the trainer could not prepare {model}: " + result.stderr.strip()[-400:], fix=TRAINER_FIX
        )


def runs_for(model: str) -> tuple[RunConfig, ...]:
    """The calibration configurations for `model`: the tiny model's take seconds, the real model's minutes."""
    return CALIBRATION_RUNS if model == DEMO else REAL_MODEL_RUNS


def trainer_spec(
    train_path: Path,
    model: str,
    method: str,
    batch: int,
    accumulation: int,
    seq: int,
    steps: int,
    checkpoint_every: int,
    lora_r: int = 8,
) -> dict[str, Any]:
    """The trainer spec of a timed run (calibration and benchmark alike)."""
    return {
        "train_path": str(train_path),
        "base_model": model,
        "method": method,
        "batch_size": batch,
        "gradient_accumulation": accumulation,
        "max_seq_length": seq,
        "max_steps": steps,
        "checkpoint_every": checkpoint_every,
        "keep_checkpoints": 2,
        "lora_r": lora_r,
        "lora_alpha": 2 * lora_r,
        "learning_rate": 1e-3 if method == "lora" else 1e-4,
    }


def describe(run: TrainerRun) -> str:
    """One progress line about a finished run."""
    if run.returncode != 0:
        return f"  failed after {run.wall_s:.0f}s: {run.error[:200]}"
    return f"  done in {run.wall_s:.0f}s ({run.steps} steps, median step {run.median_step_s:.2f}s)"


def calibration_runs(
    root: Path,
    progress: Any = None,
    quiet_load: float | None = None,
    max_wait_s: float = 120,
    model: str = DEFAULT_CALIBRATION_MODEL,
) -> list[tuple[TrainerRun, dict[str, float]]]:
    """Run the calibration configurations on `model`; returns each run with its dataset's stats.

    `progress(text)` gets a line before and after every run."""
    prepare_model(model, progress)
    paths, stats = make_datasets(root, model)
    configs = runs_for(model)
    runs = []
    for index, (method, batch, accum, seq, steps, every, data) in enumerate(configs, start=1):
        load = wait_for_quiet(quiet_load, max_wait_s) if quiet_load else current_load()
        if progress:
            progress(
                f"calibration run {index}/{len(configs)} on {model}: {method} batch {batch}x{accum} "
                f"seq {seq}, {steps} steps (load {load:.1f})"
            )
        spec = trainer_spec(paths[data], model, method, batch, accum, seq, steps, every)
        run = run_trainer(spec, root / "runs")
        if progress:
            progress(describe(run))
        runs.append((run, stats[data]))
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
