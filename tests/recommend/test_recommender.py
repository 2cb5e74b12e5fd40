"""Recommender: decision rules by dataset size, priority and hardware; QLoRA when bf16 does not fit; errors."""

from __future__ import annotations

import pytest

from vibeflow.recipe.model import Recipe
from vibeflow.recommend import rules
from vibeflow.recommend.catalog import find_model
from vibeflow.recommend.errors import InvalidRequestError, NoFeasibleConfigError, UnknownGPUError
from vibeflow.recommend.recommender import recommend

SUPPORT = {"task": "customer support replies for our shop", "avg_tokens_in": 150, "avg_tokens_out": 150}


@pytest.mark.parametrize(
    ("n", "lora_lr", "full_lr"),
    [(500, 5e-4, 1e-4), (5_000, 5e-4, 5e-5), (50_000, 2e-4, 2e-5), (500_000, 1e-4, 1e-5)],
)
def test_learning_rate_table(n: int, lora_lr: float, full_lr: float) -> None:
    seven = find_model("qwen2.5-7b")
    assert rules.learning_rate(n, "lora", seven)[0] == lora_lr
    assert rules.learning_rate(n, "qlora", seven)[0] == lora_lr
    assert rules.learning_rate(n, "full", seven)[0] == full_lr
    assert rules.learning_rate(n, "lora", find_model("qwen2.5-72b"))[0] == lora_lr / 2


@pytest.mark.parametrize(
    ("n", "accuracy", "cost"), [(300, 8, 5), (3_000, 4, 3), (30_000, 2, 1), (300_000, 1, 1)]
)
def test_epochs_table(n: int, accuracy: float, cost: float) -> None:
    assert rules.epochs(n, "accuracy")[0] == accuracy
    assert rules.epochs(n, "cost")[0] == cost == rules.epochs(n, "speed")[0]


def test_rank_by_task_complexity() -> None:
    assert rules.classify_task("classify tickets by intent").complexity == "simple"
    assert rules.classify_task("customer support chatbot").complexity == "medium"
    assert rules.classify_task("generate SQL from questions").complexity == "complex"
    assert rules.classify_task("something unusual").label == "general chat"
    assert rules.lora_rank("simple", 5_000, "accuracy")[0] == 8
    assert rules.lora_rank("medium", 5_000, "accuracy")[0] == 16
    assert rules.lora_rank("complex", 5_000, "accuracy")[0] == 32
    assert rules.lora_rank("complex", 500, "accuracy")[0] == 16  # small data: capped
    assert rules.lora_rank("medium", 200_000, "accuracy")[0] == 32  # lots of data: doubled


def test_settings_follow_dataset_size() -> None:
    small = recommend({**SUPPORT, "n_examples": 600, "priority": "accuracy", "gpu": "A100-80GB"})
    large = recommend({**SUPPORT, "n_examples": 60_000, "priority": "accuracy", "gpu": "A100-80GB"})
    assert small.hyperparameters.num_epochs > large.hyperparameters.num_epochs
    assert small.hyperparameters.learning_rate > large.hyperparameters.learning_rate
    assert small.hyperparameters.lora_dropout > large.hyperparameters.lora_dropout
    assert small.hyperparameters.batch_size * small.hyperparameters.gradient_accumulation == 8
    assert large.hyperparameters.batch_size * large.hyperparameters.gradient_accumulation >= 16


def test_priority_changes_model_size_and_cost() -> None:
    accurate = recommend({**SUPPORT, "n_examples": 2_000, "priority": "accuracy"})
    cheap = recommend({**SUPPORT, "n_examples": 2_000, "priority": "cost"})
    fast = recommend({**SUPPORT, "n_examples": 2_000, "priority": "speed"})
    assert find_model(cheap.base_model).params_b < find_model(accurate.base_model).params_b
    assert cheap.estimate.cost.chosen.compute_usd < accurate.estimate.cost.chosen.compute_usd
    assert fast.estimate.time.seconds < accurate.estimate.time.seconds
    assert accurate.hyperparameters.lora_target_modules == find_model(accurate.base_model).lora_target_modules
    assert cheap.preset == "conservative"


def test_given_gpu_is_used_and_budget_is_respected() -> None:
    rec = recommend({**SUPPORT, "n_examples": 1_000, "priority": "accuracy", "gpu": "L40S"})
    assert rec.device == "L40S" and rec.estimate.device == "L40S"
    fit = next(f for f in rec.estimate.memory.fits if f.device == "L40S")
    assert fit.status == "ok"
    capped = recommend({**SUPPORT, "n_examples": 200_000, "priority": "accuracy", "budget_usd": 50})
    assert capped.estimate.cost.chosen.compute_usd <= 50
    assert not any(a.cost_usd > 50 for a in capped.alternatives)


def test_qlora_recommended_when_the_model_does_not_fit_in_bf16() -> None:
    rec = recommend(
        {
            "task": "summarize long legal contracts",
            "n_examples": 5_000,
            "priority": "accuracy",
            "gpu": "RTX4090",
            "avg_tokens_in": 2_000,
            "avg_tokens_out": 300,
        }
    )
    assert rec.method == "qlora"
    assert any(r.startswith("Method: QLoRA") and "does not fit" in r for r in rec.reasons)
    big = recommend({**SUPPORT, "n_examples": 200_000, "priority": "accuracy", "gpu": "H100"})
    assert big.method == "qlora" and find_model(big.base_model).params_b > 60


def test_cpu_recommendation_is_small_local_and_free() -> None:
    rec = recommend({"task": "classify emails as spam", "n_examples": 400, "priority": "speed", "gpu": "cpu"})
    assert (
        rec.target == "local"
        and rec.method in ("lora", "full")
        and rec.estimate.cost.total_first_month_usd == 0
    )
    assert find_model(rec.base_model).params_b < 2 and not find_model(rec.base_model).demo
    assert "compute" in rec.recipe_patch and rec.recipe_patch["compute"] == {"target": "local"}


def test_reasons_explain_every_choice_with_numbers() -> None:
    rec = recommend({**SUPPORT, "n_examples": 1_247, "priority": "accuracy", "gpu": "A100"})
    text = "\n".join(rec.reasons)
    for topic in (
        "Task:",
        "Base model:",
        "Method:",
        "Hardware:",
        "Learning rate",
        "Epochs",
        "Batch",
        "LoRA rank",
        "Estimate:",
        "Confidence:",
    ):
        assert topic in text, topic
    assert "$" in text and "GB" in text and "days old" in text
    assert any("40 GB model" in w for w in rec.warnings)  # 'A100' is ambiguous: read as 40 GB


def test_recipe_patch_is_a_valid_recipe() -> None:
    rec = recommend({**SUPPORT, "n_examples": 3_000, "priority": "accuracy"})
    recipe = Recipe.model_validate({"name": "support-bot", "data": {"path": "data.csv"}, **rec.recipe_patch})
    assert recipe.method == rec.method and recipe.training.learning_rate == rec.hyperparameters.learning_rate
    assert recipe.compute.gpu == rec.device and recipe.base_model == rec.hf_id


def test_commercial_filter_and_determinism() -> None:
    request = {**SUPPORT, "n_examples": 2_000, "priority": "cost", "commercial_use": True}
    first, second = recommend(request), recommend(request)
    assert find_model(first.base_model).commercial_use
    assert first.model_dump() == second.model_dump()


@pytest.mark.parametrize(
    ("change", "error", "fix_word"),
    [
        ({"n_examples": 0}, InvalidRequestError, "add training examples"),
        ({"n_examples": 10**12}, InvalidRequestError, "subset"),
        ({"task": "   "}, InvalidRequestError, "--task"),
        ({"gpu": "GTX-9090"}, UnknownGPUError, "known devices"),
        ({"budget_usd": 0}, InvalidRequestError, "--gpu cpu"),
        ({"budget_usd": -3}, InvalidRequestError, "--budget 20"),
        ({"budget_usd": 0.001}, NoFeasibleConfigError, "raise the budget"),
        ({"avg_tokens_in": 90_000, "gpu": "T4"}, NoFeasibleConfigError, "smaller model"),
    ],
)
def test_absurd_requests_raise_typed_errors_with_a_fix(change: dict, error: type, fix_word: str) -> None:
    with pytest.raises(error) as info:
        recommend({**SUPPORT, "n_examples": 1_000, "priority": "accuracy", **change})
    assert fix_word in info.value.fix


@pytest.mark.parametrize("gpu", ["cpu", "A100-80GB", "L4"])
def test_every_memory_figure_in_the_reasons_is_the_chosen_configurations(gpu: str) -> None:
    import re

    rec = recommend({**SUPPORT, "n_examples": 1_200, "priority": "accuracy", "gpu": gpu})
    method = next(r for r in rec.reasons if r.startswith("Method:"))
    figures = {float(x) for x in re.findall(r"(\d+(?:\.\d+)?) GB (?:needed|on|,|which)", method)}
    figures |= {float(x) for x in re.findall(r"~(\d+(?:\.\d+)?) GB", method)}
    assert figures == {round(rec.estimate.memory.total_gb, 1)}, method
    base = next(r for r in rec.reasons if r.startswith("Base model:"))
    assert f"{find_model(rec.base_model).size_text} parameters" in base, base
    assert not re.search(r"\d+\.\d{4,}B|\de[-+]\d", base), base  # no raw floats such as 0.134515B
