"""Benchmark of the CPU time estimator against the real trainer on SmolLM2-135M-Instruct, after one calibration.

SmolLM2-135M-Instruct is the offline default base (what users train here); calibration and the seven benchmark
configurations run on it. Reproduce (about 15 minutes on a quiet 2-core machine, up to 25 on a busy one;
progress on stderr, measurements so far in bench/results/estimator.partial.json after every run, the result in
bench/results/estimator.json):

    nohup .venv/bin/python bench/bench_estimator.py > /tmp/bench-estimator.log 2>&1 &
    tail -f /tmp/bench-estimator.log

Steps: (1) `calibrate_cpu`'s runs on SmolLM2 (the same ones `vibeflow estimate --calibrate` makes) are made and
fitted; (2) seven configurations (LoRA rank 8–32 and full fine-tuning, batch 1–4, accumulation 1–4,
max_seq_length 128–512, 12–60 steps, a checkpoint every 20 steps in two of them) run through
`python -m vibeflow_trainer run SPEC` on freshly generated data (other seeds than the calibration's); (3) each
one's calibrated estimate is compared with its measured wall time (process launch to exit), printed as each
run ends. Target: ≥ 5 of 7 estimates within ±15 %.

On a shared machine other processes distort wall times; by default each run waits (up to 2 min) until the
1-minute load average is below 1.5, and the load averages (1, 5, 15 min) are recorded next to each result.
An interrupted run can still be analysed: `--from bench/results/estimator.partial.json`.

Smoke test of the code path (seconds, not a measurement): `--model vibeflow-demo-tiny --steps-scale 0.1`.

Split mode, to measure on another host (e.g. a quiet dedicated machine) and analyse here:

    python bench/bench_estimator.py --measure-only measurements.json   # needs only the trainer's packages
    .venv/bin/python bench/bench_estimator.py --from measurements.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
for folder in ("server", "trainer"):
    if str(ROOT / folder) not in sys.path:
        sys.path.insert(0, str(ROOT / folder))

from vibeflow.recommend.trainer_runs import (  # noqa: E402 - after the path setup above
    DEFAULT_CALIBRATION_MODEL,
    DEMO,
    TrainerRun,
    calibration_runs,
    describe,
    run_trainer,
    token_stats,
    trainer_spec,
    wait_for_quiet,
    write_dataset,
)

TARGET = 0.15
WITHIN_NEEDED = 5  # of the 7 configurations
# label, method, batch, accumulation, max_seq_length, steps, lora rank, checkpoint_every, dataset. Sized for
# SmolLM2-135M on 2 cores (measured: a LoRA step at batch 4, seq 256 5–7 s, ~10 s on a busy machine; full at
# batch 2, seq 128 ~2 s):
# about 2 minutes of training each.
CONFIGS: list[tuple[str, str, int, int, int, int, int, int, str]] = [
    ("lora-r8-b4-s256", "lora", 4, 1, 256, 15, 8, 1000, "long"),
    ("lora-r16-b2-s128-ckpt", "lora", 2, 1, 128, 60, 16, 20, "short"),
    ("lora-r32-b4-s256", "lora", 4, 1, 256, 12, 32, 1000, "long"),
    ("lora-r16-b4-s512", "lora", 4, 1, 512, 12, 16, 1000, "long"),
    ("lora-r16-b1x4-s256", "lora", 1, 4, 256, 12, 16, 1000, "long"),
    ("full-b4-s256", "full", 4, 1, 256, 15, 0, 1000, "long"),
    ("full-b2-s128-ckpt", "full", 2, 1, 128, 50, 0, 20, "short"),
]
BENCH_DATA = {"short": (96, 21, 1), "long": (200, 22, 6)}  # rows, seed, max turns (not the calibration's)
# GPU check of the published-table estimate (CUDA machines only): random-init models with the catalog's exact
# architecture (no download), the demo tokenizer, the real trainer. label, catalog id, method, batch, acc, seq, steps
GPU_CONFIGS: list[tuple[str, str, str, int, int, int, int]] = [
    ("gpu-qwen2.5-0.5b-lora", "qwen2.5-0.5b", "lora", 8, 1, 1024, 30),
    ("gpu-qwen2.5-0.5b-full", "qwen2.5-0.5b", "full", 8, 1, 1024, 20),
    ("gpu-qwen2.5-1.5b-lora", "qwen2.5-1.5b", "lora", 8, 1, 1024, 30),
    ("gpu-llama-3.2-3b-lora", "llama-3.2-3b", "lora", 8, 2, 1024, 15),
]


def _say(text: str) -> None:
    print(time.strftime("%H:%M:%S ") + text, file=sys.stderr, flush=True)


def _loads() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else []


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    except OSError:
        return ""
    return out.stdout.strip()


def _code_version() -> dict[str, str]:
    """The commit measured, and the trainer files that differ from it (the trainer is what is timed)."""
    return {
        "git": _git("log", "-1", "--format=%h %s")[:160],
        "trainer_uncommitted": " ".join(_git("status", "--short", "--", "trainer").split()),
    }


def measure(
    root: Path,
    quiet_load: float | None,
    max_wait: float,
    partial: Path | None = None,
    model: str = DEFAULT_CALIBRATION_MODEL,
    steps_scale: float = 1.0,
    on_run: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Calibration runs + benchmark runs with timings; needs the trainer, not the server's dependencies.

    `partial`: rewritten after every run with what was measured so far. `on_run(result)`: called after every
    benchmark run (e.g. to print its estimate)."""
    started = time.time()
    host = {
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "node": platform.node(),
        **_code_version(),
        "load_avg_at_start": _loads(),
    }
    _say(f"calibration on {model} ({host['git']})")
    calib = calibration_runs(root / "calibration", _say, quiet_load, max_wait, model=model)
    paths = {
        name: write_dataset(root / f"bench-{name}.jsonl", rows, seed, turns, workdir=root)
        for name, (rows, seed, turns) in BENCH_DATA.items()
    }
    stats = {name: token_stats(path, model) for name, path in paths.items()}
    bench: list[dict[str, Any]] = []
    result = {
        "model": model,
        "steps_scale": steps_scale,
        "host": host,
        "calibration": [{"run": dataclasses.asdict(r), "stats": s} for r, s in calib],
        "stats": stats,
        "bench": bench,
    }

    def keep() -> None:
        result["measured_s"] = round(time.time() - started, 1)
        if partial:
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(result, indent=1), encoding="utf-8")

    keep()
    for index, (label, method, batch, accum, seq, steps, rank, every, data) in enumerate(CONFIGS, start=1):
        steps = max(3, round(steps * steps_scale))
        load_before = wait_for_quiet(quiet_load, max_wait) if quiet_load else os.getloadavg()[0]
        _say(
            f"bench run {index}/{len(CONFIGS)} {label}: {steps} steps (load {load_before:.2f}, "
            f"{(time.time() - started) / 60:.1f} min so far)"
        )
        spec = trainer_spec(paths[data], model, method, batch, accum, seq, steps, every, rank or 8)
        run = run_trainer(spec, root / "bench-runs")
        _say(describe(run))
        bench.append(
            {
                "label": label,
                "dataset": data,
                "run": dataclasses.asdict(run),
                "load_before": load_before,
                "load_after": os.getloadavg()[0],
                "load_avg_after": _loads(),
            }
        )
        keep()
        if on_run:
            on_run(result)
    return result


def build_random_model(model_id: str, target: Path) -> Path:
    """A random-init model with the catalog entry's exact shape, saved with the demo tokenizer (no download)."""
    import shutil

    import torch
    import yaml
    from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config

    from vibeflow_trainer.assets_paths import DEMO_TOKENIZER_DIR

    entries = yaml.safe_load(
        (ROOT / "server/vibeflow/recommend/catalog/models.yaml").read_text(encoding="utf-8")
    )
    m = next(e for e in entries["models"] if e["id"] == model_id)
    kind = Qwen2Config if m["family"] == "qwen2.5" else LlamaConfig
    config = kind(
        vocab_size=m["vocab_size"],
        hidden_size=m["hidden_size"],
        num_hidden_layers=m["num_layers"],
        num_attention_heads=m["num_heads"],
        num_key_value_heads=m["num_kv_heads"],
        intermediate_size=m["intermediate_size"],
        tie_word_embeddings=m["tie_embeddings"],
        max_position_embeddings=4096,
        eos_token_id=1,
        pad_token_id=0,
    )
    torch.manual_seed(0)
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):  # random init is far faster on the GPU
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.save_pretrained(str(target))
    for file in DEMO_TOKENIZER_DIR.iterdir():
        shutil.copy(file, target / file.name)
    return target


def measure_gpu(root: Path, out: Path) -> dict[str, Any]:
    import torch

    path = write_dataset(root / "gpu-long.jsonl", 400, 31, 6, workdir=root)
    stats = token_stats(path)
    runs: list[dict[str, Any]] = []
    result = {"device": torch.cuda.get_device_name(0), "stats": stats, "runs": runs}
    for label, model_id, method, batch, accum, seq, steps in GPU_CONFIGS:
        folder = root / "models" / model_id
        if not (folder / "config.json").is_file():
            _say(f"building random-init {model_id}")
            build_random_model(model_id, folder)
        _say(f"gpu run {label}")
        spec = {
            "train_path": str(path),
            "base_model": str(folder),
            "method": method,
            "batch_size": batch,
            "gradient_accumulation": accum,
            "max_seq_length": seq,
            "max_steps": steps,
            "checkpoint_every": 1000,
            "keep_checkpoints": 1,
            "learning_rate": 1e-4,
        }
        run = run_trainer(spec, root / "gpu-runs")
        if run.returncode != 0:
            _say(f"  failed: {run.error[:300]}")
        runs.append({"label": label, "model": model_id, "run": dataclasses.asdict(run)})
        out.write_text(json.dumps(result, indent=1), encoding="utf-8")  # keep what was measured so far
    return result


def analyse_gpu(data: dict[str, Any], device: str = "H100-80GB") -> list[dict[str, Any]]:
    """The published-table estimate of each GPU run's training stage vs the measured one."""
    from vibeflow.recommend.estimator import estimate

    stats, rows = data["stats"], []
    for item in data["runs"]:
        run = TrainerRun(**item["run"])
        if run.returncode != 0 or not run.phases:
            rows.append({"label": item["label"], "error": run.error[:300]})
            continue
        spec = run.spec
        est = estimate(
            {
                "base_model": item["model"],
                "method": spec["method"],
                "device": device,
                "target": "local",
                "n_examples": int(stats["rows"]),
                "avg_tokens_in": stats["avg_tokens_in"],
                "avg_tokens_out": stats["avg_tokens_out"],
                "length_cv": stats["length_cv"],
                "max_seq_length": spec["max_seq_length"],
                "max_steps": spec["max_steps"],
                "batch_size": spec["batch_size"],
                "gradient_accumulation": spec["gradient_accumulation"],
                "lora_target_modules": "auto",
                "checkpoint_every": spec["checkpoint_every"],
            },
            tips=False,
        )
        train = est.time.breakdown.training_s + est.time.breakdown.checkpointing_s
        rows.append(
            {
                "label": item["label"],
                "estimated_training_s": round(train, 1),
                "measured_training_s": round(run.phases["training"], 1),
                "error_pct": round(100 * (train - run.phases["training"]) / run.phases["training"], 1),
                "estimated_step_s": round(est.time.breakdown.training_s / spec["max_steps"], 3),
                "measured_median_step_s": round(run.median_step_s, 3),
                "measured_tokens_per_s": run.tokens_per_s,
                "estimated_tokens_per_s": est.time.tokens_per_s,
            }
        )
    return rows


def analyse(data: dict[str, Any]) -> dict[str, Any]:
    """Fit the calibration from the measured calibration runs, estimate every bench run, compare."""
    from vibeflow.recommend.cpu_calibrate import fit_profile
    from vibeflow.recommend.estimator import estimate
    from vibeflow.recommend.schemas import EstimateRequest

    model = data.get("model", DEMO)  # measurements made before SmolLM2 was the default were on the tiny model
    calib = [(TrainerRun(**c["run"]), c["stats"]) for c in data["calibration"]]
    profile = fit_profile(calib)
    profile["host"] = data["host"]  # where the runs were measured, not where they are analysed
    store = {"version": 1, "cpu": profile, "factors": {}, "measurements": []}
    rows = []
    for item in data["bench"]:
        run = TrainerRun(**item["run"])
        if run.returncode != 0 or not run.phases:
            rows.append({"label": item["label"], "error": run.error[:300]})
            continue
        spec, stats = run.spec, data["stats"][item["dataset"]]
        request = EstimateRequest(
            base_model=spec.get("base_model", model),
            method=spec["method"],
            device="cpu",
            target="local",
            n_examples=int(stats["rows"]),
            avg_tokens_in=stats["avg_tokens_in"],
            avg_tokens_out=stats["avg_tokens_out"],
            length_cv=stats["length_cv"],
            max_tokens=int(stats["max_tokens"]),
            max_seq_length=spec["max_seq_length"],
            max_steps=spec["max_steps"],
            batch_size=spec["batch_size"],
            gradient_accumulation=spec["gradient_accumulation"],
            lora_r=spec.get("lora_r", 16),
            lora_target_modules="auto",
            checkpoint_every=spec["checkpoint_every"],
            keep_checkpoints=spec["keep_checkpoints"],
        )
        est = estimate(request, tips=False, store=store)
        parts = est.time.breakdown
        est_train = parts.training_s + parts.checkpointing_s
        measured_train = run.phases["training"]
        rows.append(
            {
                "label": item["label"],
                "method": spec["method"],
                "batch": spec["batch_size"],
                "accumulation": spec["gradient_accumulation"],
                "seq": spec["max_seq_length"],
                "steps": spec["max_steps"],
                "lora_r": spec.get("lora_r") if spec["method"] != "full" else None,
                "estimated_s": est.time.seconds,
                "measured_s": round(run.wall_s, 2),
                "error_pct": round(100 * (est.time.seconds - run.wall_s) / run.wall_s, 1),
                "estimated_training_s": round(est_train, 2),
                "measured_training_s": round(measured_train, 2),
                "training_error_pct": round(100 * (est_train - measured_train) / measured_train, 1),
                "estimated_step_s": round(parts.training_s / spec["max_steps"], 3),
                "measured_median_step_s": round(run.median_step_s, 3),
                "estimated_startup_s": parts.startup_s,
                "measured_startup_s": round(sum(v for k, v in run.phases.items() if k != "training"), 2),
                "estimated_range_s": [est.time.low_s, est.time.high_s],
                "load_before": round(item["load_before"], 2),
                "load_after": round(item["load_after"], 2),
                "load_avg_after": item.get("load_avg_after", []),
            }
        )
    ok = [r for r in rows if "error_pct" in r]
    within = sum(abs(r["error_pct"]) <= 100 * TARGET for r in ok)
    return {
        "benchmark": f"estimator vs real trainer ({model} on CPU), after calibrate_cpu on it",
        "model": model,
        "host": data["host"],
        "target_pct": 100 * TARGET,
        "within_target": f"{within}/{len(ok)}",
        "target_met": within >= WITHIN_NEEDED,
        "mean_abs_error_pct": round(sum(abs(r["error_pct"]) for r in ok) / max(len(ok), 1), 1),
        "calibration": {k: v for k, v in profile.items() if k != "runs"},
        "calibration_runs": profile["runs"],
        "results": rows,
        "measured_s": data.get("measured_s"),
        "reproduce": "python bench/bench_estimator.py",
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| config | method | batch x acc | seq | steps | rank | estimated | measured | error | training est/meas | "
        "load 1-min before / 1,5,15-min after |",
        "|---|---|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in result["results"]:
        if "error" in r:
            lines.append(f"| {r['label']} | failed: {r['error'][:60]} |||||||||")
            continue
        after = ", ".join(f"{v:.1f}" for v in r.get("load_avg_after") or [r["load_after"]])
        lines.append(
            f"| {r['label']} | {r['method']} | {r['batch']} x {r['accumulation']} | {r['seq']} | {r['steps']} "
            f"| {r['lora_r'] or '-'} | {r['estimated_s']:.1f}s | {r['measured_s']:.1f}s | "
            f"{r['error_pct']:+.1f}% | {r['estimated_training_s']:.1f}s / {r['measured_training_s']:.1f}s | "
            f"{r['load_before']:.1f} / {after} |"
        )
    lines.append("")
    lines.append(
        f"Within ±{result['target_pct']:.0f}%: {result['within_target']} (target ≥ {WITHIN_NEEDED} of 7: "
        f"{'met' if result['target_met'] else 'missed'}); mean |error| {result['mean_abs_error_pct']}% on "
        f"{result['host']['cores']} cores ({result['host']['machine']}), {result['model']}, "
        f"code at {result['host'].get('git') or '?'}."
    )
    lines.append(f"Reproduce: `{result['reproduce']}`")
    return "\n".join(lines)


def _print_latest(result: dict[str, Any]) -> None:
    """After each benchmark run: its calibrated estimate next to what was measured."""
    row = analyse(result)["results"][-1]
    if "error" not in row:
        _say(
            f"  estimate {row['estimated_s']:.1f}s vs measured {row['measured_s']:.1f}s "
            f"({row['error_pct']:+.1f}%; training {row['estimated_training_s']:.1f}s vs "
            f"{row['measured_training_s']:.1f}s)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--measure-only", type=Path, metavar="FILE", help="only measure; write raw timings to FILE"
    )
    parser.add_argument(
        "--from", dest="source", type=Path, metavar="FILE", help="analyse timings measured elsewhere"
    )
    parser.add_argument(
        "--quiet-load", type=float, default=1.5, help="wait for a load average below this (0: off)"
    )
    parser.add_argument(
        "--max-wait", type=float, default=120.0, help="longest wait for a quiet machine, seconds"
    )
    parser.add_argument(
        "--model",
        default=DEFAULT_CALIBRATION_MODEL,
        choices=(DEFAULT_CALIBRATION_MODEL, DEMO),
        help="base model to calibrate and benchmark on (the tiny one only for smoke tests)",
    )
    parser.add_argument(
        "--steps-scale",
        type=float,
        default=1.0,
        help="multiply the benchmark runs' steps (e.g. 0.1 for a smoke test; at least 3)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "estimator.json")
    parser.add_argument(
        "--partial",
        type=Path,
        default=RESULTS / "estimator.partial.json",
        help="measurements so far, rewritten after every run",
    )
    parser.add_argument(
        "--gpu-measure",
        type=Path,
        metavar="FILE",
        help="CUDA machine: time random-init catalog models on the GPU, write FILE",
    )
    parser.add_argument(
        "--gpu-from", type=Path, metavar="FILE", help="add the analysis of --gpu-measure timings"
    )
    args = parser.parse_args(argv)
    if args.gpu_measure:
        with tempfile.TemporaryDirectory(prefix="vibeflow-bench-gpu-") as tmp:
            os.environ.setdefault("VIBEFLOW_HOME", str(Path(tmp) / "home"))
            measure_gpu(Path(tmp), args.gpu_measure)
        _say(f"wrote {args.gpu_measure}")
        return 0
    if args.source:
        data = json.loads(args.source.read_text(encoding="utf-8"))
        data = data.get("raw", data)  # a previous result file carries its measurements under "raw"
    else:
        # VIBEFLOW_HOME is left as it is: the trainer keeps only built models there (SmolLM2 is built once and
        # reused), and the calibration measured here is not saved as this machine's profile.
        with tempfile.TemporaryDirectory(prefix="vibeflow-bench-") as tmp:
            data = measure(
                Path(tmp),
                args.quiet_load or None,
                args.max_wait,
                args.measure_only or args.partial,
                model=args.model,
                steps_scale=args.steps_scale,
                on_run=None if args.measure_only else _print_latest,
            )
        if args.measure_only:
            _say(f"wrote {args.measure_only}")
            return 0
    result = analyse(data)
    if args.gpu_from:
        gpu = json.loads(args.gpu_from.read_text(encoding="utf-8"))
        result["gpu_validation"] = {"device": gpu["device"], "results": analyse_gpu(gpu), "raw": gpu}
    result["raw"] = data
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(markdown(result))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
