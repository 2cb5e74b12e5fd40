"""Offline on a CPU-only machine the recommender picks what can train here: the packaged SmolLM2 base."""

from __future__ import annotations

import pytest

from vibeflow.recommend import availability
from vibeflow.recommend.catalog import find_model
from vibeflow.recommend.recommender import recommend

SUPPORT = {
    "task": "customer support replies",
    "n_examples": 886,
    "avg_tokens_in": 60,
    "avg_tokens_out": 90,
    "priority": "accuracy",
    "target": "local",
}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    availability.hub_reachable.cache_clear()
    yield
    availability.hub_reachable.cache_clear()


def test_offline_cpu_recommends_the_packaged_base_with_cpu_settings(offline: None) -> None:
    rec = recommend(SUPPORT)
    assert rec.base_model == "smollm2-135m-instruct" and rec.device == "cpu" and rec.method == "lora"
    hyper = rec.hyperparameters
    assert (hyper.batch_size, hyper.gradient_accumulation, hyper.learning_rate) == (4, 1, 1e-3)
    assert "Gemma" not in " ".join(a.note for a in rec.alternatives)  # nothing that needs a download


def test_a_hub_model_in_the_cache_stays_eligible_offline(offline: None, tmp_path) -> None:  # noqa: ANN001
    gemma = find_model("gemma-2-2b")
    assert not availability.available_here(gemma)
    snapshot = tmp_path / "empty-cache" / f"models--{gemma.hf_id.replace('/', '--')}" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    assert availability.available_here(gemma)


def test_a_named_gpu_is_not_limited_to_what_this_machine_has(offline: None) -> None:
    rec = recommend({**SUPPORT, "gpu": "A100-80GB"})
    assert rec.base_model != "smollm2-135m-instruct"  # the user's GPU box has its own network and cache


def test_packaged_entry_and_the_hub_entry_stay_distinct() -> None:
    assert find_model("smollm2-135m-instruct").packaged
    assert find_model("smollm2-135m").hf_id == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert not find_model("HuggingFaceTB/SmolLM2-135M-Instruct").packaged
