"""Estimator: workload arithmetic, cost = time x price, tips that add up, snapshot dating, absurd inputs."""

from __future__ import annotations

import json
import math

import pytest

from vibeflow.recommend.errors import InvalidRequestError, UnknownGPUError, UnknownModelError
from vibeflow.recommend.estimator import estimate
from vibeflow.recommend.schemas import EstimateRequest

BASE = {
    "base_model": "qwen2.5-7b",
    "method": "lora",
    "device": "A100-80GB",
    "n_examples": 4000,
    "avg_tokens_in": 200,
    "avg_tokens_out": 150,
    "num_epochs": 3,
    "batch_size": 4,
    "gradient_accumulation": 4,
    "max_seq_length": 1024,
}


def test_steps_follow_the_trainer_counting() -> None:
    est = estimate({**BASE, "n_examples": 1001})
    per_epoch = math.ceil(math.ceil(1001 / 4) / 4)
    assert est.workload.steps == 3 * per_epoch and est.workload.micro_steps == 3 * per_epoch * 4
    capped = estimate({**BASE, "max_steps": 7})
    assert capped.workload.steps == 7 and capped.workload.epochs < 1


def test_cost_is_time_times_price_for_each_tier() -> None:
    est = estimate({**BASE, "spot": False})
    hours = est.time.seconds / 3600
    od = est.cost.on_demand
    assert od is not None and od.compute_usd == pytest.approx(hours * od.usd_per_gpu_hour, abs=0.01)
    assert od.low_usd == pytest.approx(est.time.low_s / 3600 * od.usd_per_gpu_hour, abs=0.01)
    assert od.high_usd == pytest.approx(est.time.high_s / 3600 * od.usd_per_gpu_hour, abs=0.01)
    spot = est.cost.spot
    assert spot is not None and spot.compute_usd == pytest.approx(
        hours * 1.10 * spot.usd_per_gpu_hour, abs=0.01
    )
    assert est.cost.chosen == od  # spot=False → priced on-demand
    assert estimate(BASE).cost.chosen.tier == "spot"
    assert est.cost.total_first_month_usd == pytest.approx(
        od.compute_usd + est.cost.storage_usd_per_month, abs=0.01
    )
    two = estimate({**BASE, "spot": False, "gpu_count": 2})
    assert two.time.breakdown.training_s < est.time.breakdown.training_s
    assert two.cost.on_demand.usd_per_gpu_hour == od.usd_per_gpu_hour


def test_every_cloud_estimate_states_the_price_snapshot_and_its_age() -> None:
    est = estimate(BASE)
    assert est.cost.price_snapshot_age_days is not None and est.cost.price_snapshot_age_days >= 0
    assert "snapshot as of" in est.cost.price_snapshot and "days old" in est.cost.price_snapshot
    assert any("snapshot" in reason for reason in est.confidence.reasons)


def test_local_runs_cost_nothing_and_cpu_runs_are_local() -> None:
    local = estimate({**BASE, "target": "local"})
    assert local.cost.chosen.tier == "local" and local.cost.total_first_month_usd == 0
    assert local.time.breakdown.provisioning_s == 0
    cpu = estimate({**BASE, "base_model": "smollm2-135m", "device": "cpu", "target": "cloud"})
    assert cpu.target == "local" and cpu.precision == "fp32" and not cpu.gradient_checkpointing
    assert cpu.confidence.level == "low" and "calibrat" in cpu.time.basis


def test_tips_savings_are_consistent_with_reestimates() -> None:
    base = estimate({**BASE, "spot": False})
    assert base.tips, "an on-demand A100 LoRA run has cheaper variants"
    actions = " ".join(t.action for t in base.tips)
    assert "epochs" in actions and "spot" in actions.lower()
    for tip in base.tips:
        variant = estimate(base.request.model_copy(update=tip.change), tips=False)
        assert tip.new_cost_usd == pytest.approx(variant.cost.chosen.compute_usd, abs=0.01)
        assert tip.saving_usd == pytest.approx(
            base.cost.chosen.compute_usd - variant.cost.chosen.compute_usd, abs=0.011
        )
        assert tip.saving_usd > 0
    assert [t.saving_usd for t in base.tips] == sorted((t.saving_usd for t in base.tips), reverse=True)


def test_fewer_epochs_saves_time_proportionally_to_training() -> None:
    three, two = estimate(BASE, tips=False), estimate({**BASE, "num_epochs": 2}, tips=False)
    ratio = two.time.breakdown.training_s / three.time.breakdown.training_s
    assert ratio == pytest.approx(2 / 3, rel=0.02)
    assert two.time.breakdown.startup_s == three.time.breakdown.startup_s


def test_faster_gpu_is_faster_and_qlora_slower_than_lora() -> None:
    a100, h100 = estimate(BASE, tips=False), estimate({**BASE, "device": "H100"}, tips=False)
    assert h100.time.breakdown.training_s < a100.time.breakdown.training_s / 1.5
    qlora = estimate({**BASE, "method": "qlora"}, tips=False)
    assert qlora.time.breakdown.training_s > a100.time.breakdown.training_s
    assert qlora.memory.total_gb < a100.memory.total_gb


def test_warnings_for_misfits_and_truncation() -> None:
    est = estimate({**BASE, "base_model": "qwen2.5-32b", "device": "L4"}, tips=False)
    assert any("does not fit on L4" in w and "qlora" in w for w in est.warnings)
    long = estimate({**BASE, "avg_tokens_in": 3000, "max_seq_length": 1024}, tips=False)
    assert any("truncated" in w for w in long.warnings)
    assert long.workload.tokens_per_example <= 1024
    tiny = estimate({**BASE, "n_examples": 20, "batch_size": 32}, tips=False)
    assert any("overfitting" in w for w in tiny.warnings) and any("batch_size" in w for w in tiny.warnings)
    qcpu = estimate({**BASE, "base_model": "smollm2-135m", "method": "qlora", "device": "cpu"}, tips=False)
    assert any("CUDA" in w for w in qcpu.warnings)


def test_unknown_model_with_size_is_estimated_with_a_warning() -> None:
    est = estimate({**BASE, "base_model": "acme/chat-13b"}, tips=False)
    assert est.memory.total_params == pytest.approx(13e9, rel=0.01)
    assert any("not in the catalog" in w for w in est.warnings) and est.confidence.score < 0.65


@pytest.mark.parametrize(
    ("change", "error", "fix_word"),
    [
        ({"n_examples": 0}, InvalidRequestError, "add training examples"),
        ({"n_examples": -5}, InvalidRequestError, "add training examples"),
        ({"n_examples": 10**12}, InvalidRequestError, "subset"),
        ({"avg_tokens_in": -1}, InvalidRequestError, "mean token length"),
        ({"avg_tokens_in": 0, "avg_tokens_out": 0}, InvalidRequestError, "mean token length"),
        ({"avg_tokens_out": 5e7}, InvalidRequestError, "tokens"),
        ({"device": "TPU-v9"}, UnknownGPUError, "known devices"),
        ({"base_model": "no-such-model"}, UnknownModelError, "catalog"),
    ],
)
def test_absurd_inputs_raise_typed_errors_with_a_fix(change: dict, error: type, fix_word: str) -> None:
    with pytest.raises(error) as info:
        estimate({**BASE, **change})
    assert fix_word in info.value.fix and info.value.message


def test_huge_dataset_is_fine_when_bounded_by_max_steps() -> None:
    est = estimate({**BASE, "n_examples": 10**12, "max_steps": 100}, tips=False)
    assert est.workload.steps == 100 and any("large, costly" in w for w in est.warnings)


def test_estimate_is_plain_json_and_roundtrips() -> None:
    est = estimate(BASE)
    data = json.loads(est.model_dump_json())
    assert data["time"]["seconds"] > 0 and data["memory"]["fits"]
    assert EstimateRequest.model_validate(data["request"]) == est.request
