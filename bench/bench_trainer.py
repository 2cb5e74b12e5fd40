"""Measures the VibeFlow trainer's overhead against a bare trl SFTTrainer on the same demo model and data.

Both variants run in this one process with the same SFTConfig, LoRA config, data and seed; ours adds the
event journal (every step), checkpoint sealing and gradient statistics. Variants alternate over several rounds
so background load hits both alike. The step period is the wall time between consecutive `on_step_begin`
calls (forward, backward, optimizer, logging, checkpointing: everything the loop does per step).

    python bench/bench_trainer.py [--steps 120] [--rounds 2] [--rows 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import psutil
from transformers import TrainerCallback

from vibeflow_trainer.chat_format import build_dataset, prepare_chat_template
from vibeflow_trainer.demo_data import make_conversations, write_jsonl
from vibeflow_trainer.engine import Run
from vibeflow_trainer.hardware import check_environment
from vibeflow_trainer.models import (
    load_model,
    load_tokenizer,
    lora_config,
    resolve_base_model,
    use_gradient_checkpointing,
)
from vibeflow_trainer.sft_args import build_sft_config
from vibeflow_trainer.spec import RunSpec

WARMUP_STEPS = 5
TARGET_RATIO = 1.03
RESULTS = Path(__file__).resolve().parent / "results" / "trainer.json"


class StepClock(TrainerCallback):
    """Records the start of every optimizer step and the training-loss history."""

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.cpu: list[float] = []
        self.losses: dict[int, float] = {}

    def _tick(self) -> None:
        self.starts.append(time.perf_counter())
        self.cpu.append(time.process_time())

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._tick()

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._tick()
        self.losses = {h["step"]: h["loss"] for h in state.log_history if "loss" in h}

    def periods(self) -> list[float]:
        return [b - a for a, b in zip(self.starts, self.starts[1:], strict=False)][WARMUP_STEPS:]

    def cpu_periods(self) -> list[float]:
        """CPU time of this process per step (all threads): less sensitive to other processes' load."""
        return [b - a for a, b in zip(self.cpu, self.cpu[1:], strict=False)][WARMUP_STEPS:]


class RssSampler:
    """Peak resident memory of this process while a variant runs (sampled every 20 ms)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, process.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _spec(work: Path, name: str, steps: int, train: Path) -> RunSpec:
    return RunSpec(
        train_path=str(train),
        output_dir=str(work / name),
        run_id=name,
        max_steps=steps,
        batch_size=16,
        learning_rate=2e-3,
        max_seq_length=256,
        checkpoint_every=50,
        keep_checkpoints=2,
        gradient_stats_every=10,
        log_every=1,
        seed=42,
    )


def run_vibeflow(spec: RunSpec) -> tuple[StepClock, int, int]:
    clock = StepClock()
    with open(os.devnull, "w") as sink, RssSampler() as rss:
        run = Run(spec, resume="none", stream=sink, extra_callbacks=[clock])
        code = run.execute()
    if code != 0:
        raise SystemExit(f"vibeflow run failed with exit code {code}; see {spec.output_dir}/events.jsonl")
    return clock, int(run.trainer._total_train_tokens), rss.peak


def run_bare_trl(spec: RunSpec) -> tuple[StepClock, int, int]:
    """The baseline: SFTTrainer with the same config and data, no VibeFlow callbacks."""
    from transformers import PrinterCallback
    from trl import SFTTrainer

    from vibeflow_trainer.data import load_conversations

    clock = StepClock()
    with RssSampler() as rss:
        resolved = resolve_base_model(spec.base_model)
        tokenizer = load_tokenizer(resolved)
        setup = prepare_chat_template(tokenizer)
        precision = check_environment(spec)  # same resolved precision / checkpointing as the trainer uses
        model = load_model(resolved, spec, precision)
        config = build_sft_config(
            spec,
            precision,
            Path(spec.output_dir) / "checkpoints",
            setup.assistant_only_loss,
            use_gradient_checkpointing(spec),
        )
        dataset = build_dataset(load_conversations(spec.train_path).conversations, tokenizer, setup)
        trainer = SFTTrainer(
            model=model,
            args=config,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=lora_config(spec),
            callbacks=[clock],
        )
        trainer.remove_callback(PrinterCallback)
        trainer.train()
    return clock, int(trainer._total_train_tokens), rss.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    import torch

    work = Path(tempfile.mkdtemp(prefix="vibeflow-bench-"))
    os.environ.setdefault("VIBEFLOW_HOME", str(work / "home"))
    train = write_jsonl(work / "train.jsonl", make_conversations(args.rows, seed=0))
    runners = {"bare trl SFTTrainer": run_bare_trl, "vibeflow trainer": run_vibeflow}
    for name, runner in runners.items():  # imports, kernels, demo model build
        runner(_spec(work, f"warmup-{name.split()[0]}", WARMUP_STEPS + 3, train))

    results: dict[str, dict[str, Any]] = {
        name: {"periods": [], "cpu": [], "tokens": 0, "time": 0.0, "rss": 0} for name in runners
    }
    losses: dict[str, dict[int, float]] = {}
    for round_index in range(args.rounds):
        for name, runner in runners.items():
            spec = _spec(work, f"{name.split()[0]}-{round_index}", args.steps, train)
            clock, tokens, rss = runner(spec)
            entry = results[name]
            entry["periods"] += clock.periods()
            entry["cpu"] += clock.cpu_periods()
            entry["tokens"] += tokens
            entry["time"] += clock.starts[-1] - clock.starts[0]
            entry["rss"] = max(entry["rss"], rss)
            losses[name] = clock.losses

    rows, summary = [], {}
    for name, entry in results.items():
        mean = statistics.fmean(entry["periods"])
        summary[name] = {
            "mean_step_ms": round(mean * 1000, 2),
            "median_step_ms": round(statistics.median(entry["periods"]) * 1000, 2),
            "mean_step_cpu_ms": round(statistics.fmean(entry["cpu"]) * 1000, 2),
            "tokens_per_s": round(entry["tokens"] / entry["time"], 1),
            "samples_per_s": round(16 / mean, 1),
            "peak_rss_mb": round(entry["rss"] / 2**20, 1),
            "steps_measured": len(entry["periods"]),
        }
    ours, bare = summary["vibeflow trainer"], summary["bare trl SFTTrainer"]
    ratio = ours["mean_step_ms"] / bare["mean_step_ms"]
    median_ratio = ours["median_step_ms"] / bare["median_step_ms"]
    cpu_ratio = ours["mean_step_cpu_ms"] / bare["mean_step_cpu_ms"]
    same_curve = losses["vibeflow trainer"] == losses["bare trl SFTTrainer"]
    command = "python bench/bench_trainer.py " + " ".join(sys.argv[1:])
    print(
        f"\n`{command.strip()}`  ({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__}, {'CUDA' if torch.cuda.is_available() else 'CPU'})\n"
    )
    print(
        "| variant | mean step (ms) | median step (ms) | CPU time/step (ms) | tokens/s | samples/s | peak RSS (MiB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, row in summary.items():
        rows.append(row)
        print(
            f"| {name} | {row['mean_step_ms']} | {row['median_step_ms']} | {row['mean_step_cpu_ms']} | {row['tokens_per_s']} | "
            f"{row['samples_per_s']} | {row['peak_rss_mb']} |"
        )
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"\nratio vibeflow/bare mean step time: {ratio:.3f} (target ≤ {TARGET_RATIO}) {verdict}")
    print(f"ratio of medians: {median_ratio:.3f}; ratio of CPU time per step: {cpu_ratio:.3f}")
    print(f"identical loss curves: {same_curve}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "command": command.strip(),
                "steps": args.steps,
                "rounds": args.rounds,
                "rows": args.rows,
                "batch_size": 16,
                "gradient_stats_every": 10,
                "checkpoint_every": 50,
                "device": "cuda" if torch.cuda.is_available() else "cpu",
                "cpu_count": os.cpu_count(),
                "torch": torch.__version__,
                "results": summary,
                "ratio": round(ratio, 4),
                "median_ratio": round(median_ratio, 4),
                "cpu_time_ratio": round(cpu_ratio, 4),
                "target_ratio": TARGET_RATIO,
                "pass": ratio <= TARGET_RATIO,
                "identical_loss_curves": same_curve,
                "measured_at": time.time(),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
