"""Pure pieces of run management: alert rules, downsampling bounds, idempotent ingestion, the migration."""

from __future__ import annotations

import math

from sqlalchemy import func, inspect, select
from tests.runs.conftest import recipe_text, store_split

from vibeflow.recipe.loader import parse_recipe
from vibeflow.runs.alerts import LOSS_RISING_STEPS, PLATEAU_WINDOW, AlertRules
from vibeflow.runs.bus import EventBus
from vibeflow.runs.downsample import downsample
from vibeflow.runs.events import parse_stdout_line
from vibeflow.runs.ingest import Ingestor
from vibeflow.runs.service import RunService
from vibeflow.store.models_runs import RunEvent, RunMetric

HYPER = {
    "learning_rate": 2e-4,
    "num_epochs": 3,
    "batch_size": 8,
    "gradient_accumulation": 1,
    "max_steps": None,
}


def feed(rules: AlertRules, events: list[dict]) -> list[str]:
    return [alert.code for event in events for alert in rules.on_metrics(event)]


def test_loss_rising_and_nan_fire_once_with_fixes() -> None:
    rules = AlertRules(dict(HYPER))
    rising = [{"step": s, "loss": 1.0 + 0.1 * s} for s in range(1, LOSS_RISING_STEPS + 4)]
    assert feed(rules, rising) == ["loss_increasing"]
    nan = feed(rules, [{"step": 20, "loss": None}, {"step": 21, "loss": float("nan")}])
    assert nan == ["nan_loss"]
    alert = AlertRules(dict(HYPER)).on_metrics({"step": 1, "loss": "NaN"})[0]
    assert alert.severity == "error" and alert.changes == {"training.learning_rate": 6e-5} and alert.fix


def test_overfitting_plateau_memory_and_tiny_dataset() -> None:
    rules = AlertRules(dict(HYPER))
    events = []
    for step in range(1, 7):
        event = {"step": step, "loss": 2.0 / step}
        if step % 2 == 0:
            event["eval_loss"] = 1.0 + step / 10
        events.append(event)
    assert feed(rules, events) == ["overfitting"]
    flat = AlertRules(dict(HYPER))
    assert feed(flat, [{"step": s, "loss": 1.0 + (s % 2) * 1e-4} for s in range(PLATEAU_WINDOW + 1)]) == [
        "plateau"
    ]
    memory = AlertRules(dict(HYPER)).on_metrics(
        {"step": 3, "gpu_mem_used_mb": 78_000, "gpu_mem_total_mb": 80_000}
    )
    assert memory[0].code == "gpu_memory" and memory[0].changes == {
        "training.batch_size": 4,
        "training.gradient_accumulation": 2,
    }
    assert AlertRules(dict(HYPER, num_epochs=5), train_rows=120).on_start()[0].code == "tiny_dataset"
    assert AlertRules(dict(HYPER, num_epochs=2), train_rows=120).on_start() == []
    assert AlertRules(dict(HYPER, num_epochs=5), train_rows=5000).on_start() == []


def test_downsampling_keeps_bounds_and_extremes() -> None:
    points = [(step, math.sin(step / 50) + (5.0 if step == 4321 else 0.0)) for step in range(1, 10_001)]
    for method in ("minmax", "lttb"):
        sampled = downsample(points, 500, method)
        assert len(sampled) <= 500
        assert sampled[0] == points[0] and sampled[-1] == points[-1]  # first and last always kept
        assert [p[0] for p in sampled] == sorted({p[0] for p in sampled})
        assert max(sampled, key=lambda p: p[1]) == (4321, points[4320][1])  # the spike survives
    minmax = downsample(points, 500, "minmax")
    assert min(p[1] for p in minmax) == min(p[1] for p in points)
    assert downsample(points[:10], 500) == points[:10]
    assert downsample(points, 2) == [points[0], points[-1]]


def test_stdout_parsing_ignores_noise() -> None:
    assert (
        parse_stdout_line('@@vibeflow@@ {"seq": 3, "ts": 1.0, "type": "stage", "stage": "training"}')["seq"]
        == 3
    )
    assert parse_stdout_line("Loading checkpoint shards: 100%") is None
    assert parse_stdout_line('@@vibeflow@@ {"seq": 4, "ts": 1.0, "type": "metr') is None  # torn by SIGKILL
    assert parse_stdout_line('@@vibeflow@@ {"seq": 5, "type": "bogus"}') is None


async def test_ingestion_is_idempotent_and_keeps_latest_metric(db, settings, tmp_path) -> None:  # noqa: ANN001
    await store_split(db, settings)
    async with db.session() as session:
        run = await RunService(session, settings).create(parse_recipe(recipe_text()), base_dir=tmp_path)
    events = [
        {"seq": 1, "ts": 1.0, "type": "stage", "stage": "training"},
        {"seq": 2, "ts": 2.0, "type": "metrics", "step": 1, "max_steps": 4, "loss": 2.0},
        {"seq": 3, "ts": 3.0, "type": "metrics", "step": 2, "max_steps": 4, "loss": 1.5},
    ]
    ingestor = Ingestor(db, EventBus())
    assert await ingestor.ingest(run.id, events) == 3
    assert await ingestor.ingest(run.id, events) == 0  # replaying the journal stores nothing twice
    resumed = [
        {"seq": 4, "ts": 4.0, "type": "metrics", "step": 2, "max_steps": 4, "loss": 1.4}
    ]  # after resume
    assert await ingestor.ingest(run.id, events + resumed) == 1
    async with db.session() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(RunEvent)
            .where(RunEvent.run_id == run.id, RunEvent.source == "trainer")
        )
        loss = dict(
            (
                await session.execute(
                    select(RunMetric.step, RunMetric.value).where(
                        RunMetric.run_id == run.id, RunMetric.name == "loss"
                    )
                )
            ).all()
        )
    assert stored == 4 and loss == {1: 2.0, 2: 1.4}


async def test_migration_creates_the_run_tables(db) -> None:  # noqa: ANN001
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        indexes = await conn.run_sync(lambda c: {i["name"] for i in inspect(c).get_indexes("run_events")})
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        from vibeflow.store.models import Base

        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    assert {"runs", "run_events", "run_metrics"} <= names and "ix_run_events_run_type_seq" in indexes
    run_tables = {"runs", "run_events", "run_metrics"}
    assert [d for d in diff if any(t in str(d) for t in run_tables)] == []  # models and 0002 agree
