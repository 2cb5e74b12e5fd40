"""The recipe's `data.path` flow through the DatasetService: import, fixes and split, reused on a second run."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from tests.runs.conftest import recipe_text
from tests.support.tickets import csv_rows

from vibeflow.recipe.loader import parse_recipe
from vibeflow.runs.service import RunService
from vibeflow.store.models import DatasetVersion


async def test_data_path_is_imported_fixed_split_and_reused(db, settings, tmp_path) -> None:  # noqa: ANN001
    csv = tmp_path / "support.csv"
    rows = csv_rows(40)  # distinct tickets: rows that differ only in a number are near duplicates
    csv.write_text("question,answer\n" + "\n".join(rows + rows[:3]) + "\n")  # 3 exact duplicates
    text = recipe_text(data="path: support.csv").replace("data:\n", "data:\n  fixes: [dedup_exact]\n")
    recipe = parse_recipe(text)
    async with db.session() as session:
        first = await RunService(session, settings).create(recipe, base_dir=tmp_path)
    async with db.session() as session:
        second = await RunService(session, settings).create(recipe, base_dir=tmp_path)
        versions = await session.scalar(select(func.count()).select_from(DatasetVersion))
        train = await session.get(DatasetVersion, first.train_version_id)
        test = await session.get(DatasetVersion, first.test_version_id)
    assert (second.train_version_id, second.test_version_id) == (
        first.train_version_id,
        first.test_version_id,
    )
    assert versions == 4  # import, fix, train, test — made once, reused by the second run
    assert train.rows + test.rows == 40 and train.role == "train" and test.role == "test"
    assert Path(first.spec["train_path"]).is_file() and first.spec["dataset_hash"] == train.content_hash
