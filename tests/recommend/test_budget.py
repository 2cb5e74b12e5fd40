"""Budget guard: remaining money, 80/95 % alerts, refusal and override, per-run limits, cost drift."""

from __future__ import annotations

from datetime import date

import pytest

from vibeflow.recommend.budget import (
    BudgetState,
    budget_status,
    check_budget,
    cost_drift,
    default_monthly_budget,
)
from vibeflow.recommend.errors import BudgetExceededError, InvalidRequestError
from vibeflow.recommend.estimator import estimate


@pytest.fixture(scope="module")
def run_estimate():
    return estimate(
        {
            "base_model": "qwen2.5-7b",
            "method": "lora",
            "device": "A100-80GB",
            "n_examples": 20_000,
            "avg_tokens_in": 300,
            "avg_tokens_out": 200,
            "num_epochs": 3,
            "spot": False,
        },
        tips=False,
    )


def test_default_budget_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIBEFLOW_MONTHLY_BUDGET_USD", raising=False)
    assert default_monthly_budget() == 500.0 == BudgetState().monthly_budget_usd
    monkeypatch.setenv("VIBEFLOW_MONTHLY_BUDGET_USD", "120")
    assert BudgetState().monthly_budget_usd == 120.0
    monkeypatch.setenv("VIBEFLOW_MONTHLY_BUDGET_USD", "lots")
    with pytest.raises(InvalidRequestError):
        default_monthly_budget()


@pytest.mark.parametrize(
    ("spent", "level", "words"),
    [
        (100, "ok", None),
        (165, "warning", "80% alert"),
        (192, "critical", "95% alert"),
        (205, "exceeded", "exceeded"),
    ],
)
def test_alert_levels(spent: float, level: str, words: str | None) -> None:
    status = budget_status(BudgetState(monthly_budget_usd=200, spent_usd=spent, today=date(2026, 11, 28)))
    assert status.level == level and status.remaining_usd == pytest.approx(200 - spent)
    if words:
        assert any(words in alert for alert in status.alerts)


def test_forecast_uses_the_run_rate() -> None:
    calm = budget_status(
        BudgetState(monthly_budget_usd=500, spent_usd=100, committed_usd=20, today=date(2026, 11, 10))
    )
    assert calm.forecast_usd == pytest.approx(100 / 10 * 30 + 20) and calm.alerts == []
    fast = budget_status(BudgetState(monthly_budget_usd=500, spent_usd=200, today=date(2026, 11, 10)))
    assert fast.level == "ok" and fast.forecast_usd == pytest.approx(600)
    assert any("pace" in alert for alert in fast.alerts)


def test_refuses_when_the_run_exceeds_what_remains_and_override_allows(run_estimate) -> None:
    cost = run_estimate.cost.chosen.compute_usd
    assert cost > 1
    state = BudgetState(monthly_budget_usd=100, spent_usd=100 - cost / 2)
    with pytest.raises(BudgetExceededError) as info:
        check_budget(run_estimate, state)
    assert info.value.http_status == 409 and "override" in info.value.fix and "tips" in info.value.fix
    allowed = check_budget(run_estimate, state, override=True)
    assert allowed.allowed and allowed.overridden and allowed.messages[0].startswith("override:")
    assert allowed.remaining_after_usd < 0


def test_allows_within_budget_and_warns_crossing_80_percent(run_estimate) -> None:
    cost = run_estimate.cost.chosen.compute_usd
    state = BudgetState(monthly_budget_usd=100, spent_usd=80 - cost / 2)
    check = check_budget(run_estimate, state)
    assert check.allowed and not check.overridden and check.level_after == "warning"
    assert check.run_cost_usd == cost and check.remaining_after_usd == pytest.approx(
        check.remaining_before_usd - cost
    )
    assert any("after this run" in m for m in check.messages)


def test_per_run_limits_from_the_recipe(run_estimate) -> None:
    state = BudgetState(monthly_budget_usd=10_000)
    with pytest.raises(BudgetExceededError) as info:
        check_budget(run_estimate, state, max_cost_usd=0.5)
    assert "max_cost_usd" in info.value.message
    with pytest.raises(BudgetExceededError):
        check_budget(run_estimate, state, max_hours=0.01)
    assert check_budget(run_estimate, state, max_cost_usd=10_000, max_hours=1_000).allowed
    assert check_budget(run_estimate.model_dump(), state).allowed  # a plain dict works too


def test_cost_drift_warns_past_twenty_percent() -> None:
    assert cost_drift(11.0, 10.0).level == "ok"
    drift = cost_drift(12.5, 10.0)
    assert drift.level == "warning" and drift.drift_pct == 25.0 and "25% over" in drift.message
    projected = cost_drift(4.0, 10.0, fraction_done=0.3)  # on pace for 13.33
    assert projected.level == "warning" and projected.projected_usd == pytest.approx(13.33, abs=0.01)
    assert cost_drift(5.0, 0.0).level == "ok"
