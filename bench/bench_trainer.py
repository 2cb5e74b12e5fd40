"""Measures the VibeFlow trainer against bare trl SFTTrainers on the same model, data and settings.

Three variants run in this one process with the same SFTConfig, LoRA config, data and seed, alternating over
rounds (the order reversed every other round) so background load hits them alike:

* `bare trl SFTTrainer`: trl computing what ours computes (padding-free batches with per-example attention,
  the LM head scored at labels only: vibeflow_trainer.batching), no VibeFlow callbacks. Ours / this = the
  trainer's overhead (event journal every step, checkpoint sealing, gradient statistics); target ≤ 1.03x.
* `vibeflow trainer`: our `Run`.
* `bare default SFTTrainer`: trl's default padded batches. Ours / this in tokens/s of real (non-pad) tokens is
  the throughput gain; target ≥ 1.3x, with the same loss per token (LoRA dropout is off so the per-step losses
  of padded and padding-free batches can be compared: dropout masks depend on the tensor shape).

The step period is the wall time between consecutive `on_step_begin` calls (forward, backward, optimizer,
logging, checkpointing: everything the loop does per step); each run's first warm-up steps are dropped.
The data is the demo's: the support tickets of examples/support.csv (`--data synthetic`: the short synthetic
chats of vibeflow_trainer.demo_data).

    python bench/bench_trainer.py [--model smollm2-135m-instruct] [--data support|synthetic] [--steps N]
                                  [--rounds 2] [--rows 400]
"""

from __future__ import annotations

import argparse
import csv
import gc
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

TARGET_RATIO = 1.03
TARGET_SPEEDUP = 1.3
RESULTS = Path(__file__).resolve().parent / "results" / "trainer.json"
SUPPORT_CSV = Path(__file__).resolve().parents[1] / "examples" / "support.csv"
# Per base model: settings as the recommender gives them on this CPU, and steps per run (warm-up steps
# dropped) that keep one benchmark run under ~8 minutes on 2 cores.
SETTINGS: dict[str, dict[str, Any]] = {
    "smollm2-135m-instruct": {
        "batch_size": 4,
        "learning_rate": 1e-3,
        "steps": 12,
        "warmup": 2,
        "checkpoint_every": 6,
    },
    "vibeflow-demo-tiny": {
        "batch_size": 16,
        "learning_rate": 2e-3,
        "steps": 120,
        "warmup": 5,
        "checkpoint_every": 50,
    },
}
BARE, OURS, DEFAULT = "bare trl SFTTrainer", "vibeflow trainer", "bare default SFTTrainer"


class StepClock(TrainerCallback):
    """Records the start of every optimizer step and the training-loss history."""

    def __init__(self, warmup: int) -> None:
        self.warmup = warmup
        self.starts: list[float] = []
        self.cpu: list[float] = []
        self.losses: dict[int, float] = {}
        self.callback_s = 0.0  # time inside VibeFlow's callbacks (ours only)

    def _tick(self) -> None:
        self.starts.append(time.perf_counter())
        self.cpu.append(time.process_time())

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._tick()

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._tick()
        self.losses = {h["step"]: h["loss"] for h in state.log_history if "loss" in h}

    def periods(self) -> list[float]:
        return [b - a for a, b in zip(self.starts, self.starts[1:], strict=False)][self.warmup :]

    def cpu_periods(self) -> list[float]:
        """CPU time of this process per step (all threads): less sensitive to other processes' load."""
        return [b - a for a, b in zip(self.cpu, self.cpu[1:], strict=False)][self.warmup :]


class CallbackTimer:
    """Wall time spent inside VibeFlow's own callbacks (events, metrics, gradient statistics, checkpoint
    sealing): the trainer's overhead measured directly, which the other processes' load cannot blur as it
    blurs whole-step comparisons."""

    def __init__(self) -> None:
        from vibeflow_trainer.callbacks import EventsCallback
        from vibeflow_trainer.gradients import GradientMonitor

        self.seconds = 0.0
        self._saved = [
            (cls, name, fn)
            for cls in (EventsCallback, GradientMonitor)
            for name, fn in vars(cls).items()
            if name.startswith("on_")
        ]

    def _timed(self, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed

    def __enter__(self) -> CallbackTimer:
        for cls, name, fn in self._saved:
            setattr(cls, name, self._timed(fn))
        return self

    def __exit__(self, *exc: object) -> None:
        for cls, name, fn in self._saved:
            setattr(cls, name, fn)


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


def _settings(model: str) -> dict[str, Any]:
    return SETTINGS.get(model, SETTINGS["smollm2-135m-instruct"])


def _support_chats(rows: int) -> list[list[dict[str, str]]]:
    """The demo's support tickets as chats (customer message, support reply), in file order."""
    with SUPPORT_CSV.open(encoding="utf-8", newline="") as handle:
        tickets = [row for row in csv.DictReader(handle) if row["customer_message"] and row["support_reply"]]
    return [
        [
            {"role": "user", "content": t["customer_message"]},
            {"role": "assistant", "content": t["support_reply"]},
        ]
        for t in tickets[:rows]
    ]


def _spec(work: Path, name: str, steps: int, train: Path, model: str) -> RunSpec:
    settings = _settings(model)
    return RunSpec(
        train_path=str(train),
        output_dir=str(work / name),
        run_id=name,
        base_model=model,
        max_steps=steps,
        batch_size=settings["batch_size"],
        learning_rate=settings["learning_rate"],
        lora_dropout=0.0,
        max_seq_length=256,
        checkpoint_every=settings["checkpoint_every"],
        keep_checkpoints=2,
        gradient_stats_every=10,
        log_every=1,
        seed=42,
    )


def run_vibeflow(spec: RunSpec) -> tuple[StepClock, int, int]:
    clock = StepClock(_settings(spec.base_model)["warmup"])
    with open(os.devnull, "w") as sink, RssSampler() as rss, CallbackTimer() as timer:
        run = Run(spec, resume="none", stream=sink, extra_callbacks=[clock])
        code = run.execute()
    clock.callback_s = timer.seconds
    if code != 0:
        raise SystemExit(f"vibeflow run failed with exit code {code}; see {spec.output_dir}/events.jsonl")
    return clock, int(run.trainer._total_train_tokens), rss.peak


def _bare_trl(spec: RunSpec, our_batching: bool) -> tuple[StepClock, int, int]:
    """A baseline: SFTTrainer with the same config and data, no VibeFlow callbacks."""
    from transformers import PrinterCallback
    from trl import SFTTrainer

    from vibeflow_trainer.batching import labels_only_lm_head, use_padding_free
    from vibeflow_trainer.data import load_conversations

    clock = StepClock(_settings(spec.base_model)["warmup"])
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
        if our_batching:
            use_padding_free(trainer, model)
            with labels_only_lm_head():
                trainer.train()
        else:
            trainer.train()
    return clock, int(trainer._total_train_tokens), rss.peak


def run_bare_trl(spec: RunSpec) -> tuple[StepClock, int, int]:
    return _bare_trl(spec, our_batching=True)


def run_bare_default(spec: RunSpec) -> tuple[StepClock, int, int]:
    return _bare_trl(spec, our_batching=False)


def _max_loss_gap(a: dict[int, float], b: dict[int, float]) -> float:
    return max((abs(a[step] - b[step]) for step in a.keys() & b.keys()), default=float("nan"))


VARIANTS = {"all": (BARE, OURS, DEFAULT), "overhead": (BARE, OURS), "throughput": (OURS, DEFAULT)}
RUNNERS = {BARE: run_bare_trl, OURS: run_vibeflow, DEFAULT: run_bare_default}


def _measure(names: tuple[str, ...], rounds: int, steps: int, train: Path, model: str, work: Path) -> dict:
    """Run the variants alternately (order reversed every other round); step periods, tokens, losses, load."""
    fields = ("periods", "cpu", "run_means_ms")
    results: dict[str, dict[str, Any]] = {
        name: {
            **{f: [] for f in fields},
            "tokens": 0,
            "time": 0.0,
            "rss": 0,
            "losses": {},
            "callback_s": 0.0,
            "steps": 0,
        }
        for name in names
    }
    load = [os.getloadavg()[0]]
    for round_index in range(rounds):
        for name in names if round_index % 2 == 0 else tuple(reversed(names)):
            gc.collect()  # the previous trainer's tensors are freed now, not during this run's steps
            spec = _spec(work, f"{name.split()[1]}-{round_index}", steps, train, model)
            clock, tokens, rss = RUNNERS[name](spec)
            entry = results[name]
            entry["periods"] += clock.periods()
            entry["cpu"] += clock.cpu_periods()
            entry["run_means_ms"].append(round(statistics.fmean(clock.periods()) * 1000, 1))
            entry["tokens"] += tokens
            entry["time"] += clock.starts[-1] - clock.starts[0]
            entry["rss"] = max(entry["rss"], rss)
            entry["losses"] = clock.losses
            entry["callback_s"] += clock.callback_s
            entry["steps"] += steps
            load.append(os.getloadavg()[0])
    return {"results": results, "load": [round(statistics.fmean(load), 2), round(max(load), 2)]}


def _summary(entry: dict[str, Any], batch_size: int) -> dict[str, Any]:
    mean = statistics.fmean(entry["periods"])
    return {
        "mean_step_ms": round(mean * 1000, 2),
        "median_step_ms": round(statistics.median(entry["periods"]) * 1000, 2),
        "mean_step_cpu_ms": round(statistics.fmean(entry["cpu"]) * 1000, 2),
        "tokens_per_s": round(entry["tokens"] / entry["time"], 1),
        "samples_per_s": round(batch_size / mean, 2),
        "peak_rss_mb": round(entry["rss"] / 2**20, 1),
        "steps_measured": len(entry["periods"]),
        "run_means_ms": entry["run_means_ms"],
        "callback_ms_per_step": round(entry["callback_s"] / entry["steps"] * 1000, 2),
    }


def _verdicts(summary: dict[str, dict], results: dict[str, dict]) -> dict[str, Any]:
    """The two ratios the issue sets targets for, where both of their variants ran."""
    out: dict[str, Any] = {}
    if BARE in summary and OURS in summary:
        ours, bare = summary[OURS], summary[BARE]
        out["ratio"] = round(ours["mean_step_ms"] / bare["mean_step_ms"], 4)
        out["median_ratio"] = round(ours["median_step_ms"] / bare["median_step_ms"], 4)
        out["cpu_time_ratio"] = round(ours["mean_step_cpu_ms"] / bare["mean_step_cpu_ms"], 4)
        out["callback_share_of_bare_step"] = round(ours["callback_ms_per_step"] / bare["mean_step_ms"], 5)
        out["pass"] = out["ratio"] <= TARGET_RATIO
        out["max_loss_gap_vs_bare"] = _max_loss_gap(results[OURS]["losses"], results[BARE]["losses"])
    if DEFAULT in summary and OURS in summary:
        ours, default = summary[OURS], summary[DEFAULT]
        out["speedup_vs_default"] = round(ours["tokens_per_s"] / default["tokens_per_s"], 4)
        out["cpu_speedup_vs_default"] = round(default["mean_step_cpu_ms"] / ours["mean_step_cpu_ms"], 4)
        out["speedup_pass"] = out["speedup_vs_default"] >= TARGET_SPEEDUP
        out["max_loss_gap_vs_default"] = _max_loss_gap(results[OURS]["losses"], results[DEFAULT]["losses"])
    return out


def _print(header: str, summary: dict[str, dict], verdicts: dict[str, Any], load: list[float]) -> None:
    print(f"\n{header}\n")
    print("| variant | mean step (ms) | median step (ms) | CPU time/step (ms) | real tokens/s | samples/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in summary.items():
        print(
            f"| {name} | {row['mean_step_ms']} | {row['median_step_ms']} | {row['mean_step_cpu_ms']} | "
            f"{row['tokens_per_s']} | {row['samples_per_s']} |"
        )
    print("\nmean step per run (ms): " + "; ".join(f"{n}: {r['run_means_ms']}" for n, r in summary.items()))
    print("peak RSS (MiB): " + "; ".join(f"{n}: {r['peak_rss_mb']}" for n, r in summary.items()))
    if "ratio" in verdicts:
        verdict = "PASS" if verdicts["pass"] else "FAIL"
        print(
            f"overhead, ours/bare mean step time: {verdicts['ratio']:.3f} (target ≤ {TARGET_RATIO}) {verdict}"
        )
        print(
            f"  ratio of medians {verdicts['median_ratio']:.3f}, of CPU time per step {verdicts['cpu_time_ratio']:.3f}"
        )
        print(f"  max |loss difference| per step, ours vs bare: {verdicts['max_loss_gap_vs_bare']:.2e}")
        share = verdicts["callback_share_of_bare_step"]
        print(
            f"  inside VibeFlow's callbacks: {summary[OURS]['callback_ms_per_step']} ms/step = {share:.2%} of bare"
        )
    if "speedup_vs_default" in verdicts:
        verdict = "PASS" if verdicts["speedup_pass"] else "FAIL"
        speedup = verdicts["speedup_vs_default"]
        print(
            f"throughput, ours/bare default real tokens/s: {speedup:.3f} (target ≥ {TARGET_SPEEDUP}) {verdict}"
        )
        print(f"  CPU time per step, default/ours: {verdicts['cpu_speedup_vs_default']:.3f}")
        print(
            f"  max |loss difference| per step, ours vs default (padded): {verdicts['max_loss_gap_vs_default']:.2e}"
        )
    print(f"load average (1 min) over the runs: mean {load[0]}, max {load[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m-instruct", help="base model id or directory")
    parser.add_argument("--variants", choices=tuple(VARIANTS), default="all")
    parser.add_argument("--steps", type=int, default=None, help="steps per run (default: per model)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", choices=("support", "synthetic"), default="support")
    parser.add_argument("--rows", type=int, default=400)
    args = parser.parse_args()
    import torch

    settings = _settings(args.model)
    steps = args.steps or settings["steps"]
    work = Path(tempfile.mkdtemp(prefix="vibeflow-bench-"))
    chats = _support_chats(args.rows) if args.data == "support" else make_conversations(args.rows, seed=0)
    train = write_jsonl(work / "train.jsonl", chats)
    run_vibeflow(_spec(work, "warmup", settings["warmup"] + 2, train, args.model))  # imports, kernels, model
    measured = _measure(VARIANTS[args.variants], args.rounds, steps, train, args.model, work)
    results = measured["results"]
    summary = {name: _summary(entry, settings["batch_size"]) for name, entry in results.items()}
    verdicts = _verdicts(summary, results)
    command = "python bench/bench_trainer.py " + " ".join(sys.argv[1:])
    header = (
        f"`{command.strip()}`  ({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__}, {'CUDA' if torch.cuda.is_available() else 'CPU'}; model {args.model}, "
        f"data {args.data} ({args.rows} rows), batch {settings['batch_size']}, {steps} steps "
        f"({settings['warmup']} warm-up) x {args.rounds} rounds per variant)"
    )
    _print(header, summary, verdicts, measured["load"])
    record = {
        "command": command.strip(),
        "model": args.model,
        "variants": args.variants,
        "steps": steps,
        "warmup_steps": settings["warmup"],
        "rounds": args.rounds,
        "data": args.data,
        "rows": args.rows,
        "batch_size": settings["batch_size"],
        "gradient_stats_every": 10,
        "checkpoint_every": settings["checkpoint_every"],
        "device": "cuda" if torch.cuda.is_available() else "cpu",
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "load_average_1min_mean_max": measured["load"],
        "results": summary,
        "target_ratio": TARGET_RATIO,
        "target_speedup": TARGET_SPEEDUP,
        **verdicts,
        "measured_at": time.time(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
