"""Budget guard on runs: refusal with a clear message unless overridden, 80/95 % alerts, live drift alert,
and finished runs feeding calibration — through RunService, the run queue, the CLI and the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select
from tests.runs.conftest import recipe_text, run_cli, store_split, wait_for

from vibeflow.recipe.loader import parse_recipe
from vibeflow.recommend.calibration import history
from vibeflow.recommend.errors import BudgetExceededError
from vibeflow.runs import budget_guard
from vibeflow.runs.service import RunService
from vibeflow.store.models_runs import Run, RunEvent

TINY_HOURS = "budget:\n  max_hours: 0.00001\n"


async def events(db, run_id: str, type_: str) -> list[dict]:  # noqa: ANN001
    async with db.session() as session:
        rows = await session.scalars(
            select(RunEvent.payload)
            .where(RunEvent.run_id == run_id, RunEvent.type == type_)
            .order_by(RunEvent.seq)
        )
        return list(rows)


async def test_refused_over_recipe_limit_unless_overridden(db, settings, tmp_path: Path) -> None:  # noqa: ANN001
    await store_split(db, settings)
    recipe = parse_recipe(recipe_text() + TINY_HOURS)
    async with db.session() as session:
        with pytest.raises(BudgetExceededError) as refused:
            await RunService(session, settings).create(recipe, base_dir=tmp_path)
        assert "exceeds the recipe's budget.max_hours" in refused.value.message
        assert "override" in refused.value.fix and refused.value.http_status == 409
        assert (await session.scalars(select(Run))).all() == []  # nothing was queued
        run = await RunService(session, settings).create(recipe, base_dir=tmp_path, over_budget=True)
    [record] = await events(db, run.id, "budget")
    assert record["phase"] == "start" and record["overridden"] is True and record["device"] == "cpu"
    assert record["estimate_s"] > 0 and record["usd_per_hour"] == 0.0
    alerts = await events(db, run.id, "alert")
    assert any(a["kind"] == "budget_override" and "max_hours" in a["message"] for a in alerts)


def prepared(rows: int) -> SimpleNamespace:
    split = SimpleNamespace(rows=rows // 5, report={})
    return SimpleNamespace(train=SimpleNamespace(rows=rows - split.rows, report={}), test=split)


CLOUD = """name: big-run
base_model: Qwen/Qwen2.5-7B-Instruct
data:
  version: support@2
training:
  num_epochs: 3
compute:
  target: cloud
  gpu: A100-80GB
"""


async def test_cloud_estimate_against_the_monthly_budget(db, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    recipe = parse_recipe(CLOUD)
    async with db.session() as session:
        est, check = await budget_guard.guard_start(session, recipe, prepared(20_000))
        cost = est.cost.chosen.compute_usd
        assert cost > 1 and check.allowed and not check.overridden
        monkeypatch.setenv("VIBEFLOW_MONTHLY_BUDGET_USD", f"{cost / 2:.2f}")
        with pytest.raises(BudgetExceededError, match="monthly budget"):
            await budget_guard.guard_start(session, recipe, prepared(20_000))
        _, forced = await budget_guard.guard_start(session, recipe, prepared(20_000), override=True)
        assert forced.overridden and forced.messages[0].startswith("override:")
        monkeypatch.setenv("VIBEFLOW_MONTHLY_BUDGET_USD", f"{cost / 0.85:.2f}")  # this run brings it to 85 %
        _, warned = await budget_guard.guard_start(session, recipe, prepared(20_000))
        assert warned.level_after == "warning" and any("85%" in m for m in warned.messages)


async def test_month_spend_from_runs_and_80_95_alerts(db, settings, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    await store_split(db, settings)
    recipe = parse_recipe(recipe_text())
    now = datetime.now(UTC)
    async with db.session() as session:
        service = RunService(session, settings)
        finished = await service.create(recipe, base_dir=tmp_path)
        running = await service.create(recipe, base_dir=tmp_path)
        # make them look like cloud runs: $2/h, 2 h finished; 1 h into a $10 run
        for run, hours_ago, done in ((finished, 3, True), (running, 1, False)):
            record = (
                await session.scalars(
                    select(RunEvent).where(RunEvent.run_id == run.id, RunEvent.type == "budget")
                )
            ).one()
            record.payload = {**record.payload, "usd_per_hour": 2.0, "estimate_usd": 10.0}
            run.started_at = now - timedelta(hours=hours_ago)
            run.status = "completed" if done else "running"
            run.finished_at = now - timedelta(hours=1) if done else None
        await session.commit()
        state = await budget_guard.month_state(session, now)
        assert state.spent_usd == pytest.approx(6.0, abs=0.01)  # 4 (finished) + 2 (running so far)
        assert state.committed_usd == pytest.approx(8.0, abs=0.01)  # the rest of the running run's estimate
        monkeypatch.setenv("VIBEFLOW_MONTHLY_BUDGET_USD", "16")
        overview = await budget_guard.budget_overview(session)
        assert overview["status"]["level"] == "warning" and overview["status"]["alerts"][0].startswith(
            "80% alert"
        )
        monkeypatch.setenv("VIBEFLOW_MONTHLY_BUDGET_USD", "14.5")
        critical = await budget_guard.budget_overview(session)
        assert critical["status"]["level"] == "critical" and critical["status"]["alerts"][0].startswith(
            "95% alert"
        )
        # a free local run is still allowed, and carries the month's alert
        third = await service.create(recipe, base_dir=tmp_path)
    alerts = await events(db, third.id, "alert")
    assert any(a["kind"] == "budget" and a["message"].startswith("95% alert") for a in alerts)


async def test_drift_alert_while_running_and_calibration_when_finished(
    db,
    settings,
    manager,
    fake_trainer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    real = budget_guard.estimate_for_run

    def optimistic(recipe, prepared):  # noqa: ANN001, ANN202 - the estimate promises 0.3 s; steps take 0.1 s
        est = real(recipe, prepared)
        return est.model_copy(update={"time": est.time.model_copy(update={"seconds": 0.3})})

    monkeypatch.setattr(budget_guard, "estimate_for_run", optimistic)
    fake_trainer("slow", step_s=0.1)
    await store_split(db, settings)
    async with db.session() as session:
        run = await RunService(session, settings).create(parse_recipe(recipe_text()), base_dir=tmp_path)
    await manager.submit(run.id)
    done = await wait_for(db, run.id)
    assert done.status == "completed"
    drift = [a for a in await events(db, run.id, "alert") if a["kind"] == "cost_drift"]
    assert len(drift) == 1 and "over the" in drift[0]["message"] and "estimate" in drift[0]["message"]
    assert [e["phase"] for e in await events(db, run.id, "budget")] == ["start"]  # log complete at the end
    recorded = [h for h in history() if h["measurement"]["run_id"] == run.id]
    assert len(recorded) == 1 and recorded[0]["measurement"]["device"] == "cpu"
    measured = recorded[0]["measurement"]
    assert measured["actual_seconds"] > measured["estimated_seconds"] == 0.3 and recorded[0]["error_pct"] > 0
    assert measured["actual_training_seconds"] and measured["actual_tokens_per_s"] is not None
    async with db.session() as session:
        view = await budget_guard.run_cost_view(session, await session.get(Run, run.id))
    assert view["actual"]["measurement"]["run_id"] == run.id and view["drift"]["level"] == "ok"


async def test_cli_and_api_refuse_with_a_clear_message(
    db, settings, fake_trainer, serve, tmp_path: Path
) -> None:  # noqa: ANN001
    await store_split(db, settings)
    (tmp_path / "vibeflow.yaml").write_text(recipe_text() + TINY_HOURS)
    refused = run_cli("train", str(tmp_path))
    assert (
        refused.returncode == 2
        and "budget.max_hours" in refused.stderr
        and "--over-budget" not in refused.stdout
    )
    assert "Traceback" not in refused.stderr
    trained = run_cli("train", str(tmp_path), "--over-budget", "--max-steps", "4")
    assert trained.returncode == 0, trained.stderr

    _, url, token = serve()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        body = {"recipe_path": str(tmp_path / "vibeflow.yaml"), "start": False}
        answer = client.post("/api/runs", json=body)
        assert answer.status_code == 409 and "max_hours" in answer.json()["message"] and answer.json()["fix"]
        created = client.post("/api/runs", json={**body, "over_budget": True})
        assert created.status_code == 201
        cost = client.get(f"/api/runs/{created.json()['id']}/cost").json()
        assert cost["estimate"]["overridden"] is True and cost["spent_usd"] == 0.0
        month = client.get("/api/budget").json()
        assert month["status"]["level"] == "ok" and month["state"]["spent_usd"] == 0.0
        listed = client.get("/api/runs").json()
        assert sorted(r["status"] for r in listed) == ["completed", "queued"]  # the CLI run, the API one
