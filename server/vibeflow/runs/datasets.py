"""Turns a recipe's `data:` block into train/test dataset versions, reusing versions made earlier.

A file is imported once per content (sha256) and column mapping; the recipe's fixes and seeded split are
looked up among the existing children of that version before new ones are made. The trainer then reads
the versions' Parquet artifacts straight from the content-addressed store.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vibeflow.data.versions import DatasetService, ReportOptions
from vibeflow.recipe.model import DataConfig, Recipe
from vibeflow.recipe.presets import resolve_training
from vibeflow.runs.errors import RunError
from vibeflow.store.artifacts import sha256_file
from vibeflow.store.models import DatasetVersion


@dataclass
class PreparedData:
    """The versions a run trains and evaluates on, and their Parquet files."""

    train: DatasetVersion
    test: DatasetVersion | None
    train_path: Path
    test_path: Path | None

    @property
    def dataset_hash(self) -> str:
        return self.train.content_hash


def _columns(value: str | list[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _mapping_matches(stored: dict[str, Any], data: DataConfig) -> bool:
    wanted = {
        "input": _columns(data.input_column),
        "output": _columns(data.output_column),
        "system": _columns(data.system_column),
    }
    return all(want is None or _columns(stored.get(key)) == want for key, want in wanted.items())


class DataPreparer:
    """Resolves `data:` through the DatasetService (the only writer of dataset versions)."""

    def __init__(self, service: DatasetService) -> None:
        self.service = service
        self.session = service.session

    async def prepare(self, recipe: Recipe, base_dir: Path) -> PreparedData:
        data = recipe.data
        if data.path:
            version = await self._imported(Path(data.path), base_dir, recipe)
        else:
            version = await self.service.get_version(data.version or "")
        if version.role == "test":
            raise RunError(
                f"dataset version {version.ref} is a test split",
                fix="point data.version at the train split or at the full version",
            )
        if version.role == "train":
            return self._paths(version, await self._test_sibling(version))  # refused when it has none
        if data.fixes:
            version = await self._fixed(version, list(dict.fromkeys(data.fixes)))
        train, test = await self._split(version, data.test_split, data.seed)
        return self._paths(train, test)

    async def from_versions(self, train_id: int, test_id: int | None) -> PreparedData:
        train = await self.service.get_version(train_id)
        test = await self.service.get_version(test_id) if test_id else None
        return self._paths(train, test)

    def _paths(self, train: DatasetVersion, test: DatasetVersion | None) -> PreparedData:
        resolve = self.service.artifacts.resolve
        return PreparedData(
            train, test, resolve(train.artifact_path), resolve(test.artifact_path) if test else None
        )

    async def _children(self, parent: DatasetVersion, operation: str) -> list[DatasetVersion]:
        result = await self.session.scalars(
            select(DatasetVersion)
            .options(selectinload(DatasetVersion.dataset))
            .where(DatasetVersion.parent_id == parent.id, DatasetVersion.operation == operation)
            .order_by(DatasetVersion.id.desc())
        )
        return list(result)

    async def _imported(self, path: Path, base_dir: Path, recipe: Recipe) -> DatasetVersion:
        source = path if path.is_absolute() else base_dir / path
        if not source.is_file():
            raise RunError(
                f"data file not found: {source}",
                fix="fix data.path in vibeflow.yaml (relative paths start at the folder of vibeflow.yaml)",
                file=str(source),
            )
        digest = await asyncio.to_thread(sha256_file, source)
        candidates = await self.session.scalars(
            select(DatasetVersion)
            .options(selectinload(DatasetVersion.dataset))
            .where(DatasetVersion.source_sha256 == digest, DatasetVersion.operation == "import")
            .order_by(DatasetVersion.id.desc())
        )
        for candidate in candidates:
            if _mapping_matches(candidate.mapping or {}, recipe.data):
                return candidate
        data = recipe.data
        options = ReportOptions(
            model=recipe.base_model, context_length=resolve_training(recipe)["max_seq_length"]
        )
        return await self.service.import_file(
            source.resolve(),
            options=options,
            input_col=data.input_column,
            output_col=data.output_column,
            system_col=data.system_column,
            skip_bad_rows=data.skip_bad_rows,
        )

    async def _fixed(self, version: DatasetVersion, fixes: list[str]) -> DatasetVersion:
        for child in await self._children(version, "fix"):
            if sorted(child.operation_params.get("ops", [])) == sorted(fixes):
                return child
        return await self.service.fix(version.id, fixes)

    async def _split(
        self, version: DatasetVersion, test_split: float, seed: int
    ) -> tuple[DatasetVersion, DatasetVersion]:
        children = await self._children(version, "split")

        def matches(child: DatasetVersion, side: str) -> bool:
            params = child.operation_params
            return (
                params.get("side") == side
                and params.get("seed") == seed
                and abs(float(params.get("test_fraction", -1)) - test_split) < 1e-9
            )

        for test in (c for c in children if matches(c, "test")):
            train = next((c for c in children if c.id == test.operation_params.get("train_version")), None)
            if train is not None and matches(train, "train"):
                return train, test
        return await self.service.split(version.id, test_fraction=test_split, seed=seed)

    async def _test_sibling(self, train: DatasetVersion) -> DatasetVersion:
        """The test side split off with `train`; a train side without one (an interrupted split in a store
        written before splits were one transaction) is refused rather than trained with no held-out data."""
        parent = await self.session.scalar(
            select(DatasetVersion)
            .options(selectinload(DatasetVersion.dataset))
            .where(DatasetVersion.id == train.parent_id)
        )
        for child in await self._children(parent, "split") if parent is not None else []:
            if child.operation_params.get("train_version") == train.id:
                return child
        raise RunError(
            f"dataset version {train.ref} is the train side of a split whose test set is missing "
            "(the split was interrupted)",
            fix=f"split again: `vibeflow data split {parent.ref if parent else 'DATASET@N'}`, then use the new "
            "train version (or point data.version at the full version)",
        )
