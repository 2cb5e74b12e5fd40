"""Calibration: measured runs move future estimates toward reality; the CPU fit recovers known speeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vibeflow.recommend import calibration
from vibeflow.recommend.calibration import RunMeasurement, correction_for, record_actual
from vibeflow.recommend.cpu_calibrate import calibrate_cpu, fit_profile, run_features
from vibeflow.recommend.errors import CalibrationError
from vibeflow.recommend.estimator import estimate
from vibeflow.recommend.trainer_runs import TrainerRun, _parse

REQUEST = {
    "base_model": "qwen2.5-1.5b",
    "method": "lora",
    "device": "L40S",
    "n_examples": 3000,
    "avg_tokens_in": 200,
    "avg_tokens_out": 100,
    "num_epochs": 2,
    "batch_size": 8,
}


def _finish(est, ratio: float, run_id: str) -> RunMeasurement:
    training = est.time.breakdown.training_s
    return RunMeasurement(
        run_id=run_id,
        device=est.device,
        base_model=est.model,
        method=est.request.method,
        estimated_seconds=est.time.seconds,
        actual_seconds=est.time.seconds + training * (ratio - 1),
        estimated_training_seconds=training,
        actual_training_seconds=training * ratio,
        correction_factor_used=est.time.correction_factor,
    )


def test_record_actual_moves_estimates_toward_actuals(vibeflow_home: Path) -> None:
    first = estimate(REQUEST, tips=False)
    truth = first.time.breakdown.training_s * 1.6 / first.time.correction_factor  # reality: 60% slower
    errors = []
    for index in range(6):
        est = estimate(REQUEST, tips=False)
        errors.append(abs(est.time.breakdown.training_s - truth) / truth)
        record_actual(_finish(est, truth / est.time.breakdown.training_s, f"run-{index}"))
    assert errors == sorted(errors, reverse=True) and errors[-1] < 0.1 < errors[0]
    corrected = estimate(REQUEST, tips=False)
    assert corrected.time.correction_samples == 6 and corrected.time.correction_factor > 1.4
    assert "measured run" in corrected.time.basis
    # the observed error shrinks, so the range narrows and confidence rises
    assert (corrected.time.high_s - corrected.time.low_s) / corrected.time.seconds < (
        first.time.high_s - first.time.low_s
    ) / first.time.seconds
    stored = json.loads((vibeflow_home / "calibration.json").read_text())
    assert len(stored["measurements"]) == 6 and stored["measurements"][0]["error_pct"] > 0


def test_corrections_fall_back_to_the_device_and_are_per_device() -> None:
    est = estimate(REQUEST, tips=False)
    record_actual(_finish(est, 0.5, "fast"))
    other_model = correction_for("L40S", "smollm2-360m", "lora")
    assert other_model.key == "L40S|*|lora" and other_model.factor == pytest.approx(0.5, rel=1e-3)
    assert correction_for("L40S", "smollm2-360m", "full").key == "L40S|*|*"
    assert correction_for("H100-80GB", "qwen2.5-1.5b", "lora").samples == 0


def test_record_actual_accepts_plain_dicts_and_validates() -> None:
    record = record_actual(
        {
            "run_id": "r1",
            "device": "cpu",
            "base_model": "vibeflow-demo-tiny",
            "method": "lora",
            "estimated_seconds": 100,
            "actual_seconds": 120,
        }
    )
    assert record.error_pct == 20.0 and record.ratio == pytest.approx(1.2)
    assert len(calibration.history()) == 1
    with pytest.raises(ValueError):
        record_actual(
            {
                "run_id": "bad",
                "device": "cpu",
                "base_model": "x",
                "method": "lora",
                "estimated_seconds": 0,
                "actual_seconds": 10,
            }
        )


SAVE_S_PER_BYTE = 4e-9  # 250 MB/s
OPTIMIZER_S_PER_PARAM = 2e-9


def _synthetic_run(
    spec: dict, stats: dict, step_s: float, micro_s: float, rate: float, rate_full: float
) -> TrainerRun:
    run = TrainerRun(spec=spec, returncode=0, wall_s=20.0)
    feats = run_features(run, stats)
    full = spec["method"] == "full"
    step = (
        step_s
        + micro_s * spec["gradient_accumulation"]
        + feats["flops_per_step"] / (rate_full if full else rate)
        + (OPTIMIZER_S_PER_PARAM * feats["params"] if full else 0.0)
    )
    run.phases = {
        "boot": 0.5,
        "preprocessing": 1.0,
        "model_loading": 5.0 + 0.001 * stats["rows"],
        "training": step * spec["max_steps"],
        "finalizing": 1.5 + SAVE_S_PER_BYTE * feats["final_bytes"],
    }
    run.step_s = [
        step * (1 + 0.3 * (i % 4 == 3)) for i in range(spec["max_steps"] - 1)
    ]  # every 4th step disturbed
    run.first_step_s = step + 2.0
    run.checkpoint_s = [0.3 + SAVE_S_PER_BYTE * feats["checkpoint_bytes"]]
    return run


def test_cpu_fit_recovers_known_speeds_despite_disturbed_steps() -> None:
    short = {"avg_tokens_in": 40.0, "avg_tokens_out": 25.0, "length_cv": 0.3, "rows": 64}
    long = {"avg_tokens_in": 140.0, "avg_tokens_out": 60.0, "length_cv": 0.5, "rows": 160}
    configs = [
        ("lora", 2, 1, 128, 14, short),
        ("lora", 8, 1, 512, 8, long),
        ("lora", 2, 4, 128, 6, short),
        ("full", 2, 1, 128, 12, short),
        ("full", 4, 1, 256, 10, long),
    ]
    runs = []
    for method, batch, acc, seq, steps, stats in configs:
        spec = {
            "base_model": "vibeflow-demo-tiny",
            "method": method,
            "batch_size": batch,
            "gradient_accumulation": acc,
            "max_seq_length": seq,
            "max_steps": steps,
        }
        runs.append((_synthetic_run(spec, stats, 0.02, 0.01, 2e9, 5e9), stats))
    profile = fit_profile(runs)
    assert profile["step_s"] == pytest.approx(0.02, rel=0.05)
    assert profile["micro_s"] == pytest.approx(0.01, rel=0.05)
    assert profile["flops_per_s"] == pytest.approx(2e9, rel=0.05)
    assert profile["flops_per_s_full"] == pytest.approx(5e9, rel=0.05)
    assert profile["optimizer_s_per_param"] == pytest.approx(OPTIMIZER_S_PER_PARAM, rel=0.05)
    assert profile["train_fixed_s"] == pytest.approx(2.0, abs=0.01)
    assert profile["ckpt_s"] == pytest.approx(0.3, rel=0.01) and profile["final_s"] == pytest.approx(
        1.5, rel=0.01
    )
    assert profile["save_s_per_byte"] == pytest.approx(SAVE_S_PER_BYTE, rel=0.05)
    assert profile["model"] == "vibeflow-demo-tiny" and profile["model_params"] > 1e6
    assert profile["per_row_s"] == pytest.approx(0.001, rel=0.05) and profile["fit_error"] < 0.01


def test_calibrated_cpu_estimate_uses_the_profile(vibeflow_home: Path) -> None:
    before = estimate({"n_examples": 200, "device": "cpu", "max_steps": 50}, tips=False)
    calibration.save_cpu_profile(
        {
            "flops_per_s": 1e9,
            "flops_per_s_full": 2e9,
            "step_s": 0.05,
            "micro_s": 0.0,
            "train_fixed_s": 1.0,
            "ckpt_s": 0.1,
            "boot_s": 3.0,
            "load_s": 5.0,
            "per_row_s": 0.0,
            "final_s": 1.0,
            "fit_error": 0.04,
        }
    )
    after = estimate({"n_examples": 200, "device": "cpu", "max_steps": 50}, tips=False)
    assert "local calibration" in after.time.basis and after.confidence.level == "high"
    assert after.time.breakdown.startup_s == pytest.approx(3.0 + 5.0 + 1.0 + 0.0, abs=0.1)
    assert before.confidence.level == "low"


def test_events_are_parsed_into_phases() -> None:
    events = [
        {"type": "stage", "stage": "preprocessing", "ts": 10.0},
        {"type": "stage", "stage": "model_loading", "ts": 11.0},
        {"type": "stage", "stage": "training", "ts": 15.0},
        {"type": "metrics", "step": 1, "ts": 15.5, "tokens_per_s": 100.0},
        {"type": "metrics", "step": 2, "ts": 15.7, "tokens_per_s": 110.0},
        {"type": "checkpoint", "step": 2, "ts": 15.9},
        {"type": "stage", "stage": "finalizing", "ts": 16.0},
    ]
    run = TrainerRun(spec={}, returncode=0, wall_s=8.0)
    _parse(events, 9.0, 17.0, run)
    assert run.phases == pytest.approx(
        {"boot": 1.0, "preprocessing": 1.0, "model_loading": 4.0, "training": 1.0, "finalizing": 1.0}
    )
    assert run.first_step_s == pytest.approx(0.5) and run.step_s == pytest.approx([0.2])
    assert run.checkpoint_s == pytest.approx([0.2]) and run.steps == 2 and run.tokens_per_s == 105.0
    assert run.step_tokens == pytest.approx([110.0 * 0.2])  # tokens/s x the step's time


def test_calibrate_cpu_without_the_trainer_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.delenv("VIBEFLOW_TRAINER_PYTHON", raising=False)
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "trl" else real(name, *a)
    )
    with pytest.raises(CalibrationError) as info:
        calibrate_cpu()
    assert "trl" in info.value.message and "trainer" in info.value.fix


def test_calibration_runs_on_the_default_base_and_the_tiny_model_keeps_its_quick_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vibeflow.recommend import cpu_calibrate
    from vibeflow.recommend.trainer_runs import (
        CALIBRATION_RUNS,
        DEFAULT_CALIBRATION_MODEL,
        REAL_MODEL_RUNS,
        runs_for,
    )

    assert DEFAULT_CALIBRATION_MODEL == "smollm2-135m-instruct"
    assert (
        runs_for("vibeflow-demo-tiny") == CALIBRATION_RUNS
        and runs_for(DEFAULT_CALIBRATION_MODEL) == REAL_MODEL_RUNS
    )
    methods = {config[0] for config in REAL_MODEL_RUNS}
    assert (
        methods == {"lora", "full"} and len({config[2] for config in REAL_MODEL_RUNS}) > 1
    )  # accumulation varies
    seen: dict[str, object] = {}

    def fake_runs(root: Path, progress: object, quiet_load: object, model: str) -> list:
        seen["model"] = model
        short = {"avg_tokens_in": 40.0, "avg_tokens_out": 25.0, "length_cv": 0.3, "rows": 64}
        runs = []
        for method, batch, acc, seq, steps, _, _ in runs_for(model):
            spec = {
                "base_model": model,
                "method": method,
                "batch_size": batch,
                "gradient_accumulation": acc,
                "max_seq_length": seq,
                "max_steps": steps,
                "lora_r": 8,
            }
            runs.append((_synthetic_run(spec, short, 0.05, 0.02, 3e10, 4e10), short))
        return runs

    monkeypatch.setattr(cpu_calibrate, "check_trainer", lambda: None)
    monkeypatch.setattr(cpu_calibrate, "calibration_runs", fake_runs)
    profile = calibrate_cpu(save=False)
    assert seen["model"] == DEFAULT_CALIBRATION_MODEL and profile["model"] == DEFAULT_CALIBRATION_MODEL
    assert profile["calibration_runs"] == len(REAL_MODEL_RUNS)
    assert profile["flops_per_s"] == pytest.approx(3e10, rel=0.05)
    assert calibrate_cpu(save=False, model="vibeflow-demo-tiny")["calibration_runs"] == len(CALIBRATION_RUNS)


def test_only_packaged_models_are_calibrated_on() -> None:
    from vibeflow.recommend.trainer_runs import prepare_model

    with pytest.raises(CalibrationError) as info:
        prepare_model("qwen2.5-7b")
    assert "smollm2-135m-instruct" in info.value.fix


def test_token_stats_count_what_the_trainer_tokenizes(tmp_path: Path) -> None:
    """SmolLM2's chat template adds its default system prompt; the counts equal the trainer's template."""
    from transformers import PreTrainedTokenizerFast

    from vibeflow.data.tokens import shipped_tokenizer_path
    from vibeflow.recommend.trainer_runs import SMOLLM2, token_stats
    from vibeflow.recommend.workload import TEMPLATE_TOKENS
    from vibeflow_trainer.serve.reference import BUILTIN_CONVERSATIONS
    from vibeflow_trainer.templates import SMOLLM2_CHAT_TEMPLATE

    chats = BUILTIN_CONVERSATIONS  # one of them brings its own system prompt
    path = tmp_path / "chats.jsonl"
    path.write_text("".join(json.dumps({"messages": c}) + "\n" for c in chats), encoding="utf-8")
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(shipped_tokenizer_path(SMOLLM2)), eos_token="<|im_end|>"
    )
    tokenizer.chat_template = SMOLLM2_CHAT_TEMPLATE
    lengths = [
        len(tokenizer.apply_chat_template(c, tokenize=True, return_dict=True)["input_ids"]) for c in chats
    ]
    stats = token_stats(path, SMOLLM2)
    assert stats["mean_tokens"] == pytest.approx(sum(lengths) / len(chats)) and stats["max_tokens"] == max(
        lengths
    )
    assert stats["avg_tokens_in"] + stats["avg_tokens_out"] + TEMPLATE_TOKENS == pytest.approx(
        stats["mean_tokens"]
    )


def test_cpu_startup_counts_the_calibration_model_once_and_packaged_models_download_nothing(
    vibeflow_home: Path,
) -> None:
    profile = {
        "model": "smollm2-135m-instruct",
        "model_params": 134515008,
        "flops_per_s": 3e10,
        "flops_per_s_full": 4e10,
        "step_s": 0.05,
        "micro_s": 0.0,
        "optimizer_s_per_param": 2e-9,
        "train_fixed_s": 1.0,
        "ckpt_s": 0.2,
        "save_s_per_byte": 1e-9,
        "boot_s": 10.0,
        "load_s": 3.0,
        "per_row_s": 0.0,
        "final_s": 1.0,
        "fit_error": 0.04,
    }
    calibration.save_cpu_profile(profile)
    request = {"base_model": "smollm2-135m-instruct", "n_examples": 200, "device": "cpu", "max_steps": 10}
    lora = estimate(request, tips=False).time.breakdown
    assert lora.startup_s == pytest.approx(10.0 + 3.0 + 1.0, abs=0.1)  # adapter bytes are negligible
    full = estimate({**request, "method": "full"}, tips=False).time.breakdown
    assert full.startup_s == pytest.approx(10.0 + 3.0 + 1.0 + 134515008 * 4 * 1e-9, abs=0.1)
    bigger = estimate({**request, "base_model": "qwen2.5-0.5b"}, tips=False).time.breakdown
    assert bigger.startup_s > lora.startup_s + 0.5  # extra weights to read, plus a download
    # the optimizer update: 10 steps x 2 ns x 134.5M parameters on top of the compute
    assert full.training_s - lora.training_s > 10 * 2e-9 * 134515008


def test_step_time_is_taken_at_the_planned_tokens_despite_uneven_batches_and_a_busy_moment() -> None:
    from vibeflow.recommend.cpu_calibrate import step_time

    run = TrainerRun(spec={}, returncode=0, wall_s=30.0)
    per_token = 0.01
    run.step_tokens = [300.0, 500.0, 700.0, 400.0, 600.0]
    run.step_s = [n * per_token for n in run.step_tokens]
    run.step_s[2] *= 2.5  # another process took the CPU for a while
    assert step_time(run, 450.0) == pytest.approx(4.5)
    assert run.median_step_s == pytest.approx(
        5.0
    )  # the plain median is off by the batches it happened to see
    run.step_tokens = []
    assert step_time(run, 450.0) == run.median_step_s  # a trainer that reports no tokens
