"""Budget guard for runs: refuse over-budget starts, alert at 80/95 %, watch cost drift, learn from finished runs.

* `guard_start` (called by `RunService.create`): estimates the recipe on the prepared data, sums this month's
  spend from the runs table (finished runs: wall time x their hourly rate; running runs: spent so far, plus
  the rest of their estimate as committed) and calls `check_budget` — `BudgetExceededError` (HTTP 409) unless
  the user overrides (`vibeflow train --over-budget`, API `over_budget: true`).
* `record_start` stores that estimate as a backend `budget` event on the run (rate, cost, time, correction
  factor) and raises the budget alerts (80 %, 95 %, exceeded-but-overridden) as `alert` events.
* `drift_alerts` (called by the ingestor with each batch of trainer events): projects the final cost — or the
  final time for a $0 local run — from the progress so far and raises one `cost_drift` alert past +20 %.
* `record_finished` (an `on_run_finished` hook): a completed run's measured wall time, training-stage time,
  cost and tokens/s go to `record_actual`, which stores estimate vs actual and the error in the calibration
  history and corrects future estimates (`run_cost_view` shows it as `actual`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vibeflow.errors import VibeFlowError
from vibeflow.recipe.model import Recipe
from vibeflow.recommend.budget import BudgetCheck, BudgetState, budget_status, check_budget, cost_drift
from vibeflow.recommend.errors import BudgetExceededError
from vibeflow.recommend.schemas import Estimate
from vibeflow.runs.alerts import Alert
from vibeflow.runs.hooks import on_run_finished
from vibeflow.runs.ingest import add_backend_event, lock_run
from vibeflow.store.models_runs import ACTIVE_STATUSES, Run, RunEvent

log = logging.getLogger(__name__)
BUDGET_EVENT = "budget"
DRIFT_CODE = "cost_drift"
_records: dict[str, dict[str, Any] | None] = {}  # run id → its start record (cache for the ingest path)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _hours(start: datetime | None, end: datetime | None) -> float:
    start, end = _utc(start), _utc(end)
    if start is None or end is None:
        return 0.0
    return max((end - start).total_seconds(), 0.0) / 3600


def _stats(prepared: Any) -> dict[str, Any]:
    """Rows and token lengths of the prepared train/test versions (exact lengths from the train report)."""
    from vibeflow.recommend.recipe_adapter import data_stats_from_report

    rows = prepared.train.rows + (prepared.test.rows if prepared.test is not None else 0)
    try:
        return data_stats_from_report(prepared.train.report or {}, rows=rows)
    except Exception:  # noqa: BLE001 - a report without lengths: fall back to the estimator's defaults
        return {"rows": rows}


def estimate_for_run(recipe: Recipe, prepared: Any) -> Estimate:
    from vibeflow.recommend.recipe_adapter import estimate_recipe

    return estimate_recipe(recipe, stats=_stats(prepared))


async def start_record(session: AsyncSession, run_id: str) -> dict[str, Any] | None:
    """The estimate and hourly rate recorded when the run was started (None for runs without one)."""
    payload = await session.scalar(
        select(RunEvent.payload)
        .where(RunEvent.run_id == run_id, RunEvent.type == BUDGET_EVENT)
        .order_by(RunEvent.seq)
        .limit(1)
    )
    return payload if isinstance(payload, dict) and payload.get("phase") == "start" else None


def run_cost(run: Run, record: dict[str, Any] | None, now: datetime | None = None) -> float:
    """Money a run has cost so far (or in total once finished): wall time x its hourly rate."""
    if not record:
        return 0.0
    end = run.finished_at or now or datetime.now(UTC)
    return _hours(run.started_at or run.created_at, end) * float(record.get("usd_per_hour") or 0.0)


async def month_state(session: AsyncSession, now: datetime | None = None) -> BudgetState:
    """This month's spend (finished runs and the part of running runs already used) and committed cost."""
    now = now or datetime.now(UTC)
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    runs = list(await session.scalars(select(Run).where(Run.created_at >= first)))
    spent = committed = 0.0
    for run in runs:
        record = await start_record(session, run.id)
        if not record:
            continue
        so_far = run_cost(run, record, now) if run.started_at else 0.0
        spent += so_far
        if run.status in ACTIVE_STATUSES:
            committed += max(float(record.get("estimate_usd") or 0.0) - so_far, 0.0)
    return BudgetState(spent_usd=round(spent, 4), committed_usd=round(committed, 4), today=now.date())


async def guard_start(
    session: AsyncSession, recipe: Recipe, prepared: Any, *, override: bool = False
) -> tuple[Estimate, BudgetCheck] | None:
    """Estimate the run and check it against the monthly budget and the recipe's limits (raises unless
    overridden); None when the run cannot be estimated (it is then not guarded, and says so)."""
    try:
        est = estimate_for_run(recipe, prepared)
    except VibeFlowError as error:  # e.g. a Hub id neither in the catalog nor cached: never block the run
        log.warning("no estimate for %s, budget not checked: %s (%s)", recipe.name, error.message, error.fix)
        return None
    state = await month_state(session)
    free = not est.cost.chosen or est.cost.chosen.compute_usd <= 0
    # A $0 run (local) never spends budget, so only the recipe's own limits can refuse it; the month's
    # alerts are still shown.
    against = BudgetState(monthly_budget_usd=state.monthly_budget_usd, today=state.today) if free else state
    try:
        check = check_budget(
            est,
            against,
            override=override,
            max_cost_usd=recipe.budget.max_cost_usd,
            max_hours=recipe.budget.max_hours,
        )
    except BudgetExceededError as error:
        error.fix += " (`vibeflow train --over-budget`, or `over_budget: true` in POST /api/runs)"
        raise
    if free:
        check.messages = [*budget_status(state).alerts, *check.messages]
    return est, check


def record_start(session: AsyncSession, run: Run, guarded: tuple[Estimate, BudgetCheck] | None) -> None:
    """Store the estimate on the run and raise the budget alerts that apply at start."""
    if guarded is None:
        add_backend_event(
            session,
            run,
            "alert",
            Alert(
                code="budget_unchecked",
                severity="info",
                message="no cost/time estimate for this model, so the budget guard could not check this run",
                fix="use a catalog model (`vibeflow catalog models`) or a local model directory with its "
                "config.json, or fetch the Hub model's config once (`hf download ORG/NAME config.json`)",
            ).payload(),
        )
        return
    est, check = guarded
    chosen = est.cost.chosen
    record = {
        "phase": "start",
        "device": est.device,
        "base_model": est.model,
        "method": est.request.method,
        "target": est.target,
        "tier": chosen.tier if chosen else "local",
        "usd_per_hour": (chosen.usd_per_gpu_hour * est.request.gpu_count)
        if chosen and chosen.tier != "local"
        else 0.0,
        "estimate_usd": chosen.compute_usd if chosen else 0.0,
        "estimate_high_usd": chosen.high_usd if chosen else 0.0,
        "estimate_s": est.time.seconds,
        "estimate_low_s": est.time.low_s,
        "estimate_high_s": est.time.high_s,
        "estimate_training_s": est.time.breakdown.training_s,
        "correction_factor": est.time.correction_factor,
        "tokens_per_s": est.time.tokens_per_s,
        "steps": est.workload.steps,
        "overridden": check.overridden,
        "remaining_before_usd": check.remaining_before_usd,
        "used_pct_after": check.used_pct_after,
        "level_after": check.level_after,
        "messages": check.messages,
    }
    add_backend_event(session, run, BUDGET_EVENT, record)
    _records[run.id] = record
    for message in check.messages:
        severity = (
            "error" if message.startswith(("override", "Monthly budget exceeded", "95%")) else "warning"
        )
        add_backend_event(
            session,
            run,
            "alert",
            Alert(
                code="budget_override" if message.startswith("override") else "budget",
                severity=severity,
                message=message,
                fix="see `vibeflow estimate` tips to lower the cost, or raise VIBEFLOW_MONTHLY_BUDGET_USD",
            ).payload(),
        )


async def drift_alerts(session: AsyncSession, run: Run, fired: set[str]) -> list[Alert]:
    """A `cost_drift` alert (once per run) when the projected final cost — or time, for a $0 local run —
    is more than 20 % over the estimate."""
    if DRIFT_CODE in fired or not run.step or not run.total_steps or not run.started_at:
        return []
    if run.id not in _records:
        _records[run.id] = await start_record(session, run.id)
    record = _records[run.id]
    if not record:
        return []
    fraction = min(run.step / run.total_steps, 1.0)
    if fraction < 0.1:  # too early: start-up dominates the elapsed time
        return []
    now = datetime.now(UTC)
    if float(record.get("estimate_usd") or 0) > 0:
        check = cost_drift(run_cost(run, record, now), float(record["estimate_usd"]), fraction)
        what = "cost"
    else:
        elapsed_s = _hours(run.started_at, now) * 3600
        check = cost_drift(elapsed_s, float(record.get("estimate_s") or 0), fraction)
        what = "time"
    if check.level != "warning":
        return []
    fired.add(DRIFT_CODE)
    if what == "cost":
        message = check.message
    else:
        message = (
            f"projected run time {check.projected_usd / 60:.1f} min is {check.drift_pct:.0f}% over the "
            f"{check.estimate_usd / 60:.1f} min estimate — check throughput (tokens/s) or stop the run"
        )
    return [
        Alert(
            code=DRIFT_CODE,
            severity="warning",
            message=message,
            fix="compare tokens/s with the estimate; stop the run if it is stuck, or let it finish — the "
            "measured speed corrects future estimates",
            step=run.step,
        )
    ]


def _stage_times(events: list[tuple[str, float]]) -> tuple[float | None, float | None]:
    start = next((ts for stage, ts in events if stage == "training"), None)
    end = next(
        (ts for stage, ts in events if stage == "finalizing" and start is not None and ts >= start), None
    )
    return start, end


@on_run_finished
async def record_finished(run_id: str, status: str, db: Any, settings: Any) -> None:
    """Feed a completed run's measured times into calibration (estimate vs actual and the error)."""
    _records.pop(run_id, None)
    if status != "completed":
        return
    from vibeflow.recommend.calibration import record_actual

    async with db.session() as session:
        run = await lock_run(session, run_id)
        record = await start_record(session, run_id)
        if run is None or not record or not run.started_at or not run.finished_at:
            return
        rows = await session.execute(
            select(RunEvent.payload, RunEvent.ts)
            .where(RunEvent.run_id == run_id, RunEvent.type == "stage")
            .order_by(RunEvent.seq)
        )
        stages = [(p.get("stage"), ts) for p, ts in rows if isinstance(p, dict)]
        start, end = _stage_times(stages)
        actual_s = _hours(run.started_at, run.finished_at) * 3600
        if actual_s <= 0:
            return
        measurement = {
            "run_id": run_id,
            "device": record["device"],
            "base_model": record["base_model"],
            "method": record["method"],
            "estimated_seconds": record["estimate_s"],
            "actual_seconds": actual_s,
            "estimated_training_seconds": record.get("estimate_training_s") or None,
            "actual_training_seconds": (end - start) if start is not None and end and end > start else None,
            "correction_factor_used": record.get("correction_factor") or 1.0,
            "estimated_cost_usd": record.get("estimate_usd"),
            "actual_cost_usd": round(run_cost(run, record), 4),
            "estimated_tokens_per_s": record.get("tokens_per_s"),
            "actual_tokens_per_s": run.tokens_per_second,
        }
        recorded = record_actual(measurement)  # kept in $VIBEFLOW_HOME/calibration.json, not as a run event:
        # the run's event log is complete at its terminal status (streams end there)
    log.info(
        "run %s: estimate %.0fs, actual %.0fs (%+.1f%%)",
        run_id,
        record["estimate_s"],
        actual_s,
        recorded.error_pct,
    )


async def run_cost_view(session: AsyncSession, run: Run) -> dict[str, Any]:
    """Running cost vs estimate for the monitor: spend so far, projection, drift level."""
    record = await start_record(session, run.id)
    if not record:
        return {
            "run_id": run.id,
            "estimate": None,
            "message": "this run has no budget record (started before "
            "the budget guard, or created by another tool)",
        }
    spent = run_cost(run, record) if run.started_at else 0.0
    fraction = (run.step / run.total_steps) if run.step and run.total_steps else None
    estimate_usd = float(record.get("estimate_usd") or 0.0)
    drift = cost_drift(spent, estimate_usd, fraction if run.status in ACTIVE_STATUSES else None)
    return {
        "run_id": run.id,
        "status": run.status,
        "estimate": record,
        "spent_usd": round(spent, 4),
        "fraction_done": round(fraction, 4) if fraction is not None else None,
        "drift": drift.model_dump(),
        "actual": _actual(run.id),
    }


def _actual(run_id: str) -> dict[str, Any] | None:
    """The finished run's estimate-vs-actual record from calibration (None until it completed)."""
    from vibeflow.recommend.calibration import history

    found = [h for h in history(limit=500) if h["measurement"]["run_id"] == run_id]
    return found[-1] if found else None


async def budget_overview(session: AsyncSession) -> dict[str, Any]:
    """This month's budget status computed from the runs table."""
    state = await month_state(session)
    return {"state": state.model_dump(mode="json"), "status": budget_status(state).model_dump()}
