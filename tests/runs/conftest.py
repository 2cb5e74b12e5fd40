"""Fixtures for run-management tests: an open store, stored dataset versions, recipes, and a scripted trainer.

`fake_trainer` puts tests/runs/fake_trainer first on PYTHONPATH, so `python -m vibeflow_trainer` in every
child process (in-process queue or a `vibeflow serve` subprocess) is the scripted stand-in; tests of the
real trainer do not use it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vibeflow.data.canonical import SCHEMA
from vibeflow.runs.manager import RunManager
from vibeflow.settings import Settings
from vibeflow.store.artifacts import ArtifactStore
from vibeflow.store.db import Database
from vibeflow.store.models import Dataset, DatasetVersion, Project
from vibeflow.store.models_runs import TERMINAL_STATUSES, Run

FAKE_TRAINER = Path(__file__).with_name("fake_trainer")


@pytest.fixture
def fake_trainer(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Route `python -m vibeflow_trainer` to the scripted trainer; call the result to pick its mode."""
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(FAKE_TRAINER), os.environ.get("PYTHONPATH")]))
    )
    monkeypatch.setenv("FAKE_TRAINER_MODE", "ok")

    def mode(name: str, step_s: float | None = None) -> None:
        monkeypatch.setenv("FAKE_TRAINER_MODE", name)
        if step_s is not None:
            monkeypatch.setenv("FAKE_STEP_S", str(step_s))

    return mode


def conversations(n: int, offset: int = 0) -> list[dict[str, Any]]:
    rows = []
    for i in range(offset, offset + n):
        question, answer = f"How do I reset password number {i}?", f"Open settings, choose reset, step {i}."
        rows.append(
            {
                "row": i + 1,
                "messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}],
                "input_text": question,
                "output_text": answer,
            }
        )
    return rows


async def store_split(
    db: Database, settings: Settings, train_rows: int = 24, test_rows: int = 6, name: str = "support"
) -> tuple[DatasetVersion, DatasetVersion]:
    """Write a canonical train/test split straight into the store (no dependency on the data readers)."""
    artifacts = ArtifactStore(settings.artifacts_dir)

    def put(rows: list[dict[str, Any]]) -> tuple[str, str]:
        table = pa.Table.from_pylist(rows, schema=SCHEMA).append_column("score", pa.array([90.0] * len(rows)))
        staged = artifacts.staging_file(".parquet")
        pq.write_table(table, staged)
        digest, final = artifacts.commit(staged, ".parquet")
        return digest, artifacts.relative(final)

    async with db.session() as session:
        project = Project(name="default")
        session.add(project)
        await session.flush()
        dataset = Dataset(project_id=project.id, name=name)
        session.add(dataset)
        await session.flush()
        full_hash, full_path = put(conversations(train_rows + test_rows))
        common = {
            "dataset_id": dataset.id,
            "format": "chat",
            "mapping": {},
            "stats": {},
            "report": {},
            "score": 90.0,
        }
        full = DatasetVersion(
            number=1,
            content_hash=full_hash,
            artifact_path=full_path,
            operation="import",
            operation_params={},
            role="full",
            rows=train_rows + test_rows,
            **common,
        )
        session.add(full)
        await session.flush()
        train_hash, train_path = put(conversations(train_rows))
        train = DatasetVersion(
            number=2,
            parent_id=full.id,
            content_hash=train_hash,
            artifact_path=train_path,
            operation="split",
            operation_params={"side": "train", "seed": 42, "test_fraction": 0.2},
            role="train",
            rows=train_rows,
            **common,
        )
        session.add(train)
        await session.flush()
        test_hash, test_path = put(conversations(test_rows, offset=train_rows))
        test = DatasetVersion(
            number=3,
            parent_id=full.id,
            content_hash=test_hash,
            artifact_path=test_path,
            operation="split",
            operation_params={"side": "test", "seed": 42, "test_fraction": 0.2, "train_version": train.id},
            role="test",
            rows=test_rows,
            **common,
        )
        session.add(test)
        await session.commit()
        return train, test


def recipe_text(data: str = "version: support@2", **training: Any) -> str:
    lines = ["name: support-bot", "preset: balanced", "data:", f"  {data}", "training:"]
    training = {"max_steps": 12, "checkpoint_every": 4, "batch_size": 4, **training}
    lines += [f"  {key}: {json.dumps(value)}" for key, value in training.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
async def manager(
    db: Database, settings: Settings, fake_trainer: Callable[..., None]
) -> AsyncIterator[RunManager]:
    runs = RunManager(db, settings, poll_s=0.05, watchdog_s=0.2, stop_grace_s=10)
    await runs.start()
    try:
        yield runs
    finally:
        await runs.close()


async def wait_for(
    db: Database,
    run_id: str,
    statuses: tuple[str, ...] = TERMINAL_STATUSES,
    timeout: float = 30,
    predicate: Callable[[Run], bool] | None = None,
) -> Run:
    deadline = time.monotonic() + timeout
    while True:
        async with db.session() as session:
            run = await session.get(Run, run_id)
            assert run is not None
            if run.status in statuses and (predicate is None or predicate(run)):
                return run
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {run.status} (stage {run.stage}, step {run.step})")
        await asyncio.sleep(0.05)


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vibeflow", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        cwd=cwd,
    )


@pytest.fixture
def serve() -> Iterator[Callable[[], tuple[subprocess.Popen[str], str, str]]]:
    """Start `vibeflow serve` subprocesses (stopped at teardown); returns (process, url, token)."""
    started: list[subprocess.Popen[str]] = []

    def start() -> tuple[subprocess.Popen[str], str, str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vibeflow", "serve", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        started.append(proc)
        line = proc.stdout.readline() if proc.stdout else ""
        assert line, proc.stderr.read() if proc.stderr else "no output"
        info = json.loads(line)
        return proc, info["url"], info["token"]

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
