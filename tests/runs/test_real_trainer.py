"""The real trainer (`python -m vibeflow_trainer`, offline demo base, CPU): the CLI journey, stop and resume."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.runs.conftest import recipe_text, run_cli, store_split, wait_for
from tests.support.tickets import csv_rows

from vibeflow.recipe.loader import parse_recipe
from vibeflow.runs.manager import RunManager
from vibeflow.runs.process import JOURNAL_NAME
from vibeflow.runs.service import RunService
from vibeflow.store.models_runs import RunEvent, RunMetric

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("vibeflow_trainer.engine") is None,
    reason="the trainer package (trainer/vibeflow_trainer) is not installed",
)


@pytest.fixture
async def real_manager(db, settings):  # noqa: ANN001, ANN201
    runs = RunManager(db, settings, poll_s=0.05, watchdog_s=0.5, stop_grace_s=60)
    await runs.start()
    yield runs
    await runs.close()


def journal(output_dir: str) -> list[dict]:
    return [json.loads(line) for line in (Path(output_dir) / JOURNAL_NAME).read_text().splitlines()]


async def test_init_then_train_from_a_csv_with_the_real_trainer(db, settings, tmp_path) -> None:  # noqa: ANN001
    """The user's journey: `vibeflow init --data file.csv`, then `vibeflow train`, on the offline demo base."""
    csv = tmp_path / "support.csv"
    rows = csv_rows(30)  # distinct tickets: rows that differ only in a number are near duplicates
    csv.write_text("question,answer\n" + "\n".join(rows) + "\n")
    assert (
        run_cli("init", "--data", str(csv), "--dir", str(tmp_path), "--name", "support-bot").returncode == 0
    )
    trained = run_cli(
        "train",
        str(tmp_path),
        "--max-steps",
        "4",
        "--set",
        "training.max_seq_length=128",
        "--set",
        "training.checkpoint_every=2",
        timeout=300,
    )
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "Adapter:" in trained.stdout and "step 4/4" in trained.stderr
    async with db.session() as session:
        run = (await RunService(session, settings).list())[0]
        seqs = list(
            await session.scalars(
                select(RunEvent.source_seq)
                .where(RunEvent.run_id == run.id, RunEvent.source == "trainer")
                .order_by(RunEvent.seq)
            )
        )
        names = set(await session.scalars(select(RunMetric.name).where(RunMetric.run_id == run.id)))
    assert run.status == "completed" and run.step == 4 and run.loss is not None and run.eval_loss is not None
    assert (Path(run.adapter_path) / "adapter_config.json").is_file() and run.checkpoint_step == 4
    assert seqs == [e["seq"] for e in journal(run.output_dir)]
    assert {"loss", "eval_loss", "learning_rate", "grad_norm", "tokens_per_s"} <= names
    assert run.recipe["data"]["path"] == "support.csv" and run.dataset_hash


async def test_real_trainer_stop_then_resume(db, settings, real_manager, tmp_path) -> None:  # noqa: ANN001
    await store_split(db, settings)
    async with db.session() as session:
        long = await RunService(session, settings).create(
            parse_recipe(recipe_text(max_steps=5000, checkpoint_every=1000, max_seq_length=64, batch_size=2)),
            base_dir=tmp_path,
        )
    await real_manager.submit(long.id)
    await wait_for(db, long.id, ("running",), timeout=120, predicate=lambda r: (r.step or 0) >= 3)
    await real_manager.stop(long.id)
    stopped = await wait_for(db, long.id, timeout=120)
    assert stopped.status == "stopped" and stopped.exit_code == 143, stopped.error
    assert stopped.checkpoint_step and Path(stopped.checkpoint_path).is_dir()
    async with db.session() as session:  # finish quickly after resuming: 2 more steps
        row = await session.get(type(stopped), long.id)
        row.spec = {**row.spec, "max_steps": stopped.checkpoint_step + 2}
        await session.commit()
    await real_manager.resume(long.id)
    resumed = await wait_for(db, long.id, timeout=120)
    assert (
        resumed.status == "completed"
        and resumed.attempts == 2
        and resumed.step == stopped.checkpoint_step + 2
    )
    stages = [e for e in journal(resumed.output_dir) if e["type"] == "stage" and e["stage"] == "training"]
    assert stages[-1]["detail"]["start_step"] == stopped.checkpoint_step
