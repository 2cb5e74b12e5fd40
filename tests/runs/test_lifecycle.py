"""The queue end to end with the scripted trainer: complete, stop → resume, kill -9, re-sync, retry, alerts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from tests.runs.conftest import recipe_text, store_split, wait_for

from vibeflow.recipe.loader import parse_recipe
from vibeflow.runs.manager import RunManager
from vibeflow.runs.process import JOURNAL_NAME, launch, trainer_command
from vibeflow.runs.service import RunService
from vibeflow.runs.spec import write_spec
from vibeflow.store.models_runs import Run, RunEvent, RunMetric


async def create_run(db, settings, tmp_path: Path, **training) -> Run:  # noqa: ANN001
    async with db.session() as session:
        return await RunService(session, settings).create(
            parse_recipe(recipe_text(**training)), base_dir=tmp_path
        )


async def counts(db, run_id: str) -> tuple[int, int, list[int]]:  # noqa: ANN001
    async with db.session() as session:
        events = await session.scalar(
            select(func.count()).select_from(RunEvent).where(RunEvent.run_id == run_id)
        )
        metrics = await session.scalar(
            select(func.count()).select_from(RunMetric).where(RunMetric.run_id == run_id)
        )
        seqs = list(
            await session.scalars(
                select(RunEvent.source_seq)
                .where(RunEvent.run_id == run_id, RunEvent.source == "trainer")
                .order_by(RunEvent.seq)
            )
        )
        return events, metrics, seqs


def journal_seqs(run: Run) -> list[int]:
    lines = (Path(run.output_dir) / JOURNAL_NAME).read_text().splitlines()
    return [json.loads(line)["seq"] for line in lines]


async def test_run_completes_with_events_and_metrics(db, settings, manager, tmp_path) -> None:  # noqa: ANN001
    await store_split(db, settings)
    run = await create_run(db, settings, tmp_path)
    assert run.status == "queued" and run.spec["max_steps"] == 12 and run.spec["batch_size"] == 4
    assert run.spec["learning_rate"] == 2e-4 and run.spec["lora_r"] == 16  # balanced preset filled in
    await manager.submit(run.id)
    done = await wait_for(db, run.id)
    assert done.status == "completed" and done.exit_code == 0 and done.stage == "completed"
    assert done.step == 12 and done.total_steps == 12 and done.tokens_per_second
    assert done.adapter_path and Path(done.adapter_path).is_dir()
    spec = json.loads((Path(done.output_dir) / "spec.json").read_text())
    assert spec["eval_path"].endswith(".parquet") and Path(spec["train_path"]).is_file()
    argv = json.loads((Path(done.output_dir) / "argv.json").read_text())
    assert argv[-2:] == ["--resume", "auto"]
    _, metrics, seqs = await counts(db, run.id)
    assert seqs == journal_seqs(done)  # every journaled event stored exactly once, in order
    assert metrics >= 12 * 5  # loss, learning_rate, grad_norm, epoch, tokens_per_s … per step
    async with db.session() as session:
        statuses = [
            e.payload["status"]
            for e in await session.scalars(
                select(RunEvent)
                .where(RunEvent.run_id == run.id, RunEvent.type == "status")
                .order_by(RunEvent.seq)
            )
        ]
    assert statuses == ["queued", "running", "completed"]


async def test_stop_checkpoints_then_resume_continues(db, settings, manager, fake_trainer, tmp_path) -> None:  # noqa: ANN001
    fake_trainer("slow", step_s=0.1)
    await store_split(db, settings)
    run = await create_run(db, settings, tmp_path, max_steps=60, checkpoint_every=1000)
    await manager.submit(run.id)
    await wait_for(db, run.id, ("running",), predicate=lambda r: (r.step or 0) >= 3)
    await manager.stop(run.id)
    stopped = await wait_for(db, run.id)
    assert stopped.status == "stopped" and stopped.exit_code == 143
    assert stopped.checkpoint_step and Path(stopped.checkpoint_path).is_dir()
    first_seqs = journal_seqs(stopped)

    fake_trainer("ok", step_s=0.005)
    await manager.resume(run.id)
    done = await wait_for(db, run.id)
    assert done.status == "completed" and done.attempts == 2
    _, _, seqs = await counts(db, run.id)
    assert seqs == journal_seqs(done) and seqs[: len(first_seqs)] == first_seqs  # seq continues after resume
    async with db.session() as session:
        stages = list(
            await session.scalars(
                select(RunEvent.payload)
                .where(RunEvent.run_id == run.id, RunEvent.type == "stage")
                .order_by(RunEvent.seq)
            )
        )
    training = [s for s in stages if s["stage"] == "training"]
    assert len(training) == 2 and training[1]["detail"]["resumed_from_step"] == stopped.checkpoint_step


async def test_killed_trainer_is_marked_failed_with_a_clear_message(
    db, settings, manager, fake_trainer, tmp_path
) -> None:  # noqa: ANN001
    fake_trainer("slow", step_s=0.1)
    await store_split(db, settings)
    run = await create_run(db, settings, tmp_path, max_steps=200)
    await manager.submit(run.id)
    running = await wait_for(db, run.id, ("running",), predicate=lambda r: (r.step or 0) >= 2)
    os.killpg(running.pid, signal.SIGKILL)
    dead = await wait_for(db, run.id)
    assert dead.status == "failed" and dead.exit_code == -9
    assert "SIGKILL" in dead.error["message"] and "resume" in dead.error["fix"]


async def test_backend_restart_resyncs_journal_and_watchdog_orphans(
    db, settings, fake_trainer, tmp_path
) -> None:  # noqa: ANN001
    """Trainers run while no backend follows them; a new backend stores every journaled event and finalises."""
    fake_trainer("ok", step_s=0.005)
    await store_split(db, settings)
    finished = await create_run(db, settings, tmp_path)
    killed = await create_run(db, settings, tmp_path, max_steps=500)
    dead_owner = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    procs = {}
    for run in (finished, killed):  # what a backend that died right after launching leaves behind
        spec_path = write_spec(run.spec, Path(run.output_dir))
        procs[run.id] = launch(trainer_command(spec_path), Path(run.output_dir))
        async with db.session() as session:
            row = await session.get(Run, run.id)
            row.status, row.pid, row.owner_pid, row.attempts = (
                "running",
                procs[run.id].pid,
                int(dead_owner),
                1,
            )
            await session.commit()
    assert procs[finished.id].wait(timeout=60) == 0
    while len(journal_seqs(killed)) < 8:
        await __import__("asyncio").sleep(0.05)
    procs[killed.id].kill()
    procs[killed.id].wait()
    async with db.session() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(RunEvent).where(RunEvent.source == "trainer")
            )
            == 0
        )  # nobody was following

    backend = RunManager(db, settings, poll_s=0.05, watchdog_s=0.2)
    await backend.start()
    try:
        done = await wait_for(db, finished.id, timeout=10)
        orphan = await wait_for(db, killed.id, timeout=10)
    finally:
        await backend.close()
    assert done.status == "completed" and done.step == 12
    _, metrics, seqs = await counts(db, finished.id)
    assert seqs == journal_seqs(done) and metrics > 0
    assert orphan.status == "orphaned" and "gone without finishing" in orphan.error["message"]
    assert f"vibeflow runs resume {killed.id}" in orphan.error["fix"]
    _, _, orphan_seqs = await counts(db, killed.id)
    assert orphan_seqs == journal_seqs(orphan)


async def test_oom_retry_halves_batch_and_records_diff(db, settings, manager, fake_trainer, tmp_path) -> None:  # noqa: ANN001
    fake_trainer("oom")
    await store_split(db, settings)
    run = await create_run(db, settings, tmp_path, batch_size=8, gradient_accumulation=2)
    await manager.submit(run.id)
    failed = await wait_for(db, run.id)
    assert failed.status == "failed" and failed.exit_code == 6 and failed.error["type"] == "out_of_memory"
    async with db.session() as session:
        retry, adjustments = await RunService(session, settings).retry(run.id)
    assert retry.parent_id == run.id and retry.relation == "retry"
    assert retry.spec["batch_size"] == 4 and retry.spec["gradient_accumulation"] == 4
    assert retry.train_version_id == failed.train_version_id  # same data: lineage stays comparable
    assert {c["path"]: (c["before"], c["after"]) for c in adjustments["diff"]} == {
        "training.batch_size": (8, 4),
        "training.gradient_accumulation": (2, 4),
    }
    await manager.submit(retry.id)
    assert (await wait_for(db, retry.id)).status == "completed"


async def test_nan_fails_raises_alert_and_retry_lowers_lr(
    db, settings, manager, fake_trainer, tmp_path
) -> None:  # noqa: ANN001
    fake_trainer("nan")
    await store_split(db, settings)
    run = await create_run(db, settings, tmp_path)
    await manager.submit(run.id)
    failed = await wait_for(db, run.id)
    assert failed.status == "failed" and failed.error["type"] == "nan_divergence"
    async with db.session() as session:
        service = RunService(session, settings)
        alerts = (await service.events(run.id, types=["alert"]))["events"]
        plan = await service.retry_plan(run.id)
    assert [a["kind"] for a in alerts] == ["nan_loss"] and alerts[0]["fix"]
    assert plan["effective_diff"] == [{"path": "training.learning_rate", "before": 2e-4, "after": 6e-5}]


async def test_alerts_from_the_stream_and_tiny_dataset(db, settings, manager, fake_trainer, tmp_path) -> None:  # noqa: ANN001
    fake_trainer("overfit")
    await store_split(db, settings)
    run = await create_run(db, settings, tmp_path, num_epochs=8, max_steps=None)
    await manager.submit(run.id)
    await wait_for(db, run.id)
    async with db.session() as session:
        alerts = (await RunService(session, settings).events(run.id, types=["alert"]))["events"]
    kinds = {a["kind"]: a for a in alerts}
    assert {"tiny_dataset", "overfitting"} <= set(kinds)
    assert "small (24 examples)" in kinds["tiny_dataset"]["message"]
    assert kinds["overfitting"]["changes"] == {"training.num_epochs": 7} and kinds["overfitting"]["fix"]
