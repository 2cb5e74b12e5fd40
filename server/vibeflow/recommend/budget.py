"""Monthly budget guard: remaining money, forecast, 80 %/95 % alerts, refusal before a run, drift while it runs.

The caller (the runs module) supplies what was spent: finished runs' costs this month and the estimated cost
of runs still going. Nothing here reads the database, so the agent, the CLI and the runner share one rule.
"""

from __future__ import annotations

import calendar
import os
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vibeflow.recommend.errors import BudgetExceededError, InvalidRequestError
from vibeflow.recommend.schemas import Estimate

DEFAULT_MONTHLY_BUDGET_USD = 500.0  # the product documents' default, customisable
ENV_BUDGET = "VIBEFLOW_MONTHLY_BUDGET_USD"
WARN_AT, CRITICAL_AT = 0.80, 0.95
DRIFT_WARN = 0.20
Level = Literal["ok", "warning", "critical", "exceeded"]


def default_monthly_budget() -> float:
    raw = os.environ.get(ENV_BUDGET)
    if raw:
        try:
            value = float(raw)
        except ValueError as error:
            raise InvalidRequestError(
                f"{ENV_BUDGET}={raw!r} is not a number", fix=f"set {ENV_BUDGET} to an amount in USD, e.g. 200"
            ) from error
        if value > 0:
            return value
    return DEFAULT_MONTHLY_BUDGET_USD


class BudgetState(BaseModel):
    """Money this month: the limit, what finished runs cost, and what running runs are expected to cost."""

    model_config = ConfigDict(extra="forbid")

    monthly_budget_usd: float = Field(default_factory=default_monthly_budget, gt=0)
    spent_usd: float = Field(0.0, ge=0, description="finished runs this month")
    committed_usd: float = Field(0.0, ge=0, description="estimated cost still to come from running runs")
    today: date = Field(default_factory=date.today)


class BudgetStatus(BaseModel):
    monthly_budget_usd: float
    spent_usd: float
    committed_usd: float
    remaining_usd: float
    used_pct: float
    forecast_usd: float = Field(description="month-end spend at this month's run rate, plus committed runs")
    level: Level
    alerts: list[str]


class BudgetCheck(BaseModel):
    allowed: bool
    overridden: bool
    run_cost_usd: float
    run_cost_high_usd: float
    remaining_before_usd: float
    remaining_after_usd: float
    used_pct_after: float
    level_after: Level
    messages: list[str]


class DriftCheck(BaseModel):
    level: Literal["ok", "warning"]
    drift_pct: float
    projected_usd: float
    estimate_usd: float
    message: str


def _level(used: float) -> Level:
    if used > 1.0:
        return "exceeded"
    if used >= CRITICAL_AT:
        return "critical"
    if used >= WARN_AT:
        return "warning"
    return "ok"


def budget_status(state: BudgetState) -> BudgetStatus:
    budget = state.monthly_budget_usd
    used_usd = state.spent_usd + state.committed_usd
    used = used_usd / budget
    days = calendar.monthrange(state.today.year, state.today.month)[1]
    forecast = state.spent_usd / state.today.day * days + state.committed_usd
    alerts: list[str] = []
    level = _level(used)
    if level == "exceeded":
        alerts.append(
            f"Monthly budget exceeded: ${used_usd:,.2f} of ${budget:,.2f}. New runs need an override."
        )
    elif level == "critical":
        alerts.append(
            f"95% alert: ${used_usd:,.2f} of your ${budget:,.2f} monthly budget is used "
            f"(${budget - used_usd:,.2f} left)."
        )
    elif level == "warning":
        alerts.append(
            f"80% alert: ${used_usd:,.2f} of your ${budget:,.2f} monthly budget is used "
            f"(${budget - used_usd:,.2f} left)."
        )
    if forecast > budget and level in ("ok", "warning"):
        alerts.append(
            f"At this month's pace you will spend about ${forecast:,.2f}, over the ${budget:,.2f} budget."
        )
    return BudgetStatus(
        monthly_budget_usd=budget,
        spent_usd=round(state.spent_usd, 2),
        committed_usd=round(state.committed_usd, 2),
        remaining_usd=round(budget - used_usd, 2),
        used_pct=round(100 * used, 1),
        forecast_usd=round(forecast, 2),
        level=level,
        alerts=alerts,
    )


def _run_cost(estimate: Estimate | dict) -> tuple[float, float]:
    est = estimate if isinstance(estimate, Estimate) else Estimate.model_validate(estimate)
    chosen = est.cost.chosen
    return (chosen.compute_usd, chosen.high_usd) if chosen else (0.0, 0.0)


def check_budget(
    estimate: Estimate | dict,
    state: BudgetState,
    override: bool = False,
    *,
    max_cost_usd: float | None = None,
    max_hours: float | None = None,
) -> BudgetCheck:
    """Allow the run, or raise BudgetExceededError when it would pass the monthly budget or the recipe's
    per-run limits (budget.max_cost_usd / budget.max_hours) — unless `override` is set (then it is allowed
    and the messages say what was overridden)."""
    est = estimate if isinstance(estimate, Estimate) else Estimate.model_validate(estimate)
    cost, high = _run_cost(est)
    status = budget_status(state)
    remaining = status.remaining_usd
    after = remaining - cost
    used_after = (state.spent_usd + state.committed_usd + cost) / state.monthly_budget_usd
    problems: list[str] = []
    if cost > remaining:
        problems.append(
            f"this run (~${cost:,.2f}) is more than the ${max(remaining, 0):,.2f} left of your "
            f"${state.monthly_budget_usd:,.2f} monthly budget"
        )
    if max_cost_usd is not None and cost > max_cost_usd:
        problems.append(
            f"this run (~${cost:,.2f}) exceeds the recipe's budget.max_cost_usd of ${max_cost_usd:,.2f}"
        )
    if max_hours is not None and est.time.seconds / 3600 > max_hours:
        problems.append(
            f"this run (~{est.time.human}) exceeds the recipe's budget.max_hours of {max_hours:g}h"
        )
    messages = list(status.alerts)
    if high > cost and high > remaining >= cost:
        messages.append(
            f"the pessimistic estimate (${high:,.2f}) would exceed what is left (${remaining:,.2f})"
        )
    level_after = _level(used_after)
    if level_after in ("warning", "critical") and status.level != level_after:
        messages.append(f"after this run {100 * used_after:.0f}% of the monthly budget will be used")
    if problems and not override:
        raise BudgetExceededError(
            "; ".join(problems).capitalize(),
            fix="lower the cost (see the estimate's tips: fewer epochs, spot, QLoRA, a smaller model), raise the "
            f"budget ({ENV_BUDGET} or budget.max_cost_usd), or start with override to confirm",
            details={"run_cost_usd": cost, "remaining_usd": remaining, "problems": problems},
        )
    if problems:
        messages.insert(0, "override: " + "; ".join(problems))
    return BudgetCheck(
        allowed=True,
        overridden=bool(problems),
        run_cost_usd=cost,
        run_cost_high_usd=high,
        remaining_before_usd=remaining,
        remaining_after_usd=round(after, 2),
        used_pct_after=round(100 * used_after, 1),
        level_after=level_after,
        messages=messages,
    )


def cost_drift(
    running_cost_usd: float, estimate_usd: float, fraction_done: float | None = None
) -> DriftCheck:
    """Warn when a running job costs more than +20 % over its estimate; with `fraction_done` (0–1) the final
    cost is projected from the current pace instead of comparing the spend so far."""
    if estimate_usd <= 0:
        return DriftCheck(
            level="ok",
            drift_pct=0.0,
            projected_usd=round(running_cost_usd, 2),
            estimate_usd=0.0,
            message="no cost estimate to compare with (local run)",
        )
    projected = running_cost_usd
    if fraction_done and 0 < fraction_done <= 1:
        projected = running_cost_usd / fraction_done
    drift = (projected - estimate_usd) / estimate_usd
    if drift > DRIFT_WARN:
        basis = "projected final cost" if projected != running_cost_usd else "cost so far"
        return DriftCheck(
            level="warning",
            drift_pct=round(100 * drift, 1),
            projected_usd=round(projected, 2),
            estimate_usd=estimate_usd,
            message=f"{basis} ${projected:,.2f} is {100 * drift:.0f}% over the ${estimate_usd:,.2f} "
            "estimate — check throughput (tokens/s) or stop the run",
        )
    return DriftCheck(
        level="ok",
        drift_pct=round(100 * drift, 1),
        projected_usd=round(projected, 2),
        estimate_usd=estimate_usd,
        message="within 20% of the estimate",
    )
