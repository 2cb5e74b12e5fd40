"""`data split` is all or nothing: a backend killed (SIGKILL) after the train side is written and before the
test side leaves no half split (no train version without its test set), and a train version that lost its
test side anyway (a store written by an earlier version) is refused for training instead of training with
no held-out data."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from vibeflow.data.versions import DatasetService
from vibeflow.recipe.loader import parse_recipe
from vibeflow.runs.datasets import DataPreparer
from vibeflow.runs.errors import RunError
from vibeflow.store.models import DatasetVersion

# Imports the file, then splits it with the artifact store rigged to SIGKILL the process at its second
# commit during the split: the train side's files and rows are written, the test side's are not.
CRASHING_SPLIT = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from pathlib import Path
    from vibeflow.data.versions import DatasetService, ReportOptions
    from vibeflow.settings import load_settings
    from vibeflow.store.artifacts import ArtifactStore
    from vibeflow.store.db import open_database

    async def main():
        async with open_database(load_settings()) as db, db.session() as session:
            service = DatasetService(session, load_settings())
            version = await service.import_file(Path(sys.argv[1]), options=ReportOptions(model="approx"))
            commits = []
            real = ArtifactStore.commit

            def commit(self, staged, suffix=""):
                commits.append(staged)
                if len(commits) == 2:  # the test side: die between the two versions
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(self, staged, suffix)

            ArtifactStore.commit = commit
            await service.split(version.id, test_fraction=0.25, seed=3)

    asyncio.run(main())
    """
)


def _csv(folder: Path) -> Path:
    path = folder / "tickets.csv"
    words = [
        "billing",
        "refund",
        "password",
        "invoice",
        "shipping",
        "account",
        "router",
        "printer",
        "laptop",
        "warranty",
    ]
    rows = [
        f'"Why is my {words[i % 10]} {words[(i * 3 + 1) % 10]} failing on day {i}?",'
        f'"Check the {words[(i * 7 + 2) % 10]} page, then {words[i // 4]} settings ({i * 13})."'
        for i in range(40)
    ]
    path.write_text("question,answer\n" + "\n".join(rows) + "\n")
    return path


async def _splits(db: Any) -> list[DatasetVersion]:
    async with db.session() as session:
        return list(await session.scalars(select(DatasetVersion).where(DatasetVersion.operation == "split")))


async def test_kill_between_train_and_test_leaves_no_half_split(db: Any, tmp_path: Path) -> None:
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_SPLIT, str(_csv(tmp_path))],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert crashed.returncode == -9, crashed.stderr[-2000:]
    splits = await _splits(db)
    trains = [v for v in splits if v.role == "train"]
    tests = {v.operation_params.get("train_version") for v in splits if v.role == "test"}
    assert not [v.id for v in trains if v.id not in tests], "a train version without its test set"
    assert splits == []


async def test_train_version_without_its_test_set_is_refused(db: Any, settings: Any, tmp_path: Path) -> None:
    from vibeflow.data.versions import ReportOptions

    async with db.session() as session:
        service = DatasetService(session, settings)
        full = await service.import_file(_csv(tmp_path), options=ReportOptions(model="approx"))
        train, test = await service.split(full.id, test_fraction=0.25, seed=3)
        await session.execute(delete(DatasetVersion).where(DatasetVersion.id == test.id))
        await session.commit()  # what an interrupted split of an earlier version left behind
        recipe = parse_recipe(
            f"name: bot\nbase_model: vibeflow-demo-tiny\ndata:\n  version: '{train.id}'\n", "vibeflow.yaml"
        )
        with pytest.raises(RunError) as refused:
            await DataPreparer(service).prepare(recipe, tmp_path)
    assert "test" in refused.value.message and "split" in refused.value.fix
