"""Dataset-version service: import, report, fix and split, each producing a new immutable, content-addressed version."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from vibeflow.data.names import safe_name
from vibeflow.errors import NotFoundError, VibeFlowError
from vibeflow.settings import Settings
from vibeflow.store.artifacts import ArtifactStore
from vibeflow.store.ids import parse_id
from vibeflow.store.models import Dataset, DatasetVersion, Project

DEFAULT_PROJECT = "default"
Progress = Callable[[str, int, int], None]


@dataclass
class ReportOptions:
    """How lengths are measured: which model's tokenizer and which context window."""

    model: str | None = None
    context_length: int = 2048


def _datasets():  # noqa: ANN202 - `datasets` pulls in pyarrow/pandas; import only when data work happens
    import datasets

    return datasets


def _report_for(ds, fmt: str, mapping: dict[str, Any], options: ReportOptions, progress, test_ds=None):  # noqa: ANN001, ANN202
    from vibeflow.data.quality.report import build_report
    from vibeflow.data.tokens import get_token_counter

    return build_report(
        ds,
        fmt=fmt,
        mapping=mapping,
        token_counter=get_token_counter(options.model),
        context_length=options.context_length,
        test_ds=test_ds,
        progress=progress,
    )


def load_file(path: Path, *, input_col=None, output_col=None, system_col=None, skip_bad_rows=False):  # noqa: ANN001, ANN201
    from vibeflow.data.readers import load_source

    if not path.exists():
        raise VibeFlowError(
            f"no such file: {path}",
            fix="check the path (relative paths start at the current folder)",
            file=str(path),
        )
    return load_source(
        path, input_col=input_col, output_col=output_col, system_col=system_col, skip_bad_rows=skip_bad_rows
    )


def report_file(
    path: Path, options: ReportOptions, progress: Progress | None = None, **mapping_opts: Any
) -> dict[str, Any]:
    """Quality report for a file on disk; stores nothing."""
    result = load_file(path, **mapping_opts)
    report = _report_for(result.dataset, result.format, result.mapping.to_dict(), options, progress)
    out = report.to_dict()
    out["source_path"] = str(path)
    if result.skipped:
        out["skipped"] = result.skipped
    return out


class DatasetService:
    """Creates and reads dataset versions; the only code that writes dataset rows to the store."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.artifacts = ArtifactStore(settings.artifacts_dir)

    # ---- reading ---------------------------------------------------------------------------------------------
    async def project(self, name: str = DEFAULT_PROJECT) -> Project:
        project = await self.session.scalar(select(Project).where(Project.name == name))
        if project is None:
            project = Project(name=name)
            self.session.add(project)
            await self.session.flush()
        return project

    async def list_datasets(self) -> list[Dataset]:
        result = await self.session.scalars(
            select(Dataset).options(selectinload(Dataset.versions)).order_by(Dataset.id)
        )
        return list(result)

    async def get_version(self, ref: str | int) -> DatasetVersion:
        """Resolve `NAME` (latest), `NAME@N`, a numeric id, or a content-hash prefix (8+ hex chars)."""
        query = select(DatasetVersion).options(selectinload(DatasetVersion.dataset))
        text = str(ref).strip()
        if isinstance(ref, int) or (text.isascii() and text.isdigit()):
            number_id = parse_id(
                text
            )  # None past 64 bits: no such row (and no OverflowError from the driver)
            version = (
                None
                if number_id is None
                else await self.session.scalar(query.where(DatasetVersion.id == number_id))
            )
        elif re.fullmatch(r"[0-9a-f]{8,64}", text):
            version = await self.session.scalar(
                query.where(DatasetVersion.content_hash.startswith(text)).limit(1)
            )
        else:
            name, _, number = text.partition("@")
            query = query.join(Dataset).where(Dataset.name == name)
            wanted = parse_id(number) if number else None
            if number and wanted is None:
                raise VibeFlowError(
                    f"bad version reference {text!r}", fix="use NAME, NAME@N, an id or a hash prefix"
                )
            if wanted is not None:
                query = query.where(DatasetVersion.number == wanted)
            version = await self.session.scalar(query.order_by(DatasetVersion.number.desc()).limit(1))
        if version is None:
            raise NotFoundError(
                f"dataset version {text!r} not found",
                fix="list what exists with `vibeflow data list` and use NAME, NAME@N or a hash prefix",
            )
        return version

    def load(self, version: DatasetVersion):  # noqa: ANN201 - datasets.Dataset
        path = self.artifacts.resolve(version.artifact_path)
        if not path.exists():
            raise NotFoundError(
                f"artifact of {version.ref} is missing at {path}",
                fix="restore VIBEFLOW_HOME/artifacts from backup or re-import the source file",
            )
        return _datasets().Dataset.from_parquet(str(path), cache_dir=str(self.settings.cache_dir))

    async def rows(
        self,
        ref: str | int,
        *,
        offset: int = 0,
        limit: int = 50,
        min_score: float | None = None,
        max_score: float | None = None,
    ) -> dict[str, Any]:
        """Preview rows with their scores, optionally filtered by score range."""
        version = await self.get_version(ref)
        ds = await asyncio.to_thread(self.load, version)
        if min_score is not None or max_score is not None:
            import numpy as np

            scores = np.asarray(ds["score"], dtype=float)
            keep = np.ones(len(scores), dtype=bool)
            if min_score is not None:
                keep &= scores >= min_score
            if max_score is not None:
                keep &= scores <= max_score
            ds = ds.select(np.flatnonzero(keep))
        total = len(ds)
        page = ds.select(range(min(offset, total), min(offset + limit, total)))
        return {"version": version.ref, "total": total, "offset": offset, "rows": page.to_list()}

    # ---- writing ---------------------------------------------------------------------------------------------
    async def import_file(
        self,
        path: Path,
        *,
        name: str | None = None,
        options: ReportOptions | None = None,
        progress: Progress | None = None,
        **mapping_opts: Any,
    ) -> DatasetVersion:
        options = options or ReportOptions()
        # Heavy data work runs in a worker thread so the event loop (HTTP + LSP) stays responsive.
        result = await asyncio.to_thread(load_file, path, **mapping_opts)
        mapping = result.mapping.to_dict()
        report = await asyncio.to_thread(
            _report_for, result.dataset, result.format, mapping, options, progress
        )
        report_dict = report.to_dict()
        if result.skipped:
            report_dict["skipped"] = result.skipped
        dataset = await self._dataset(name or _dataset_name(path))
        return await self._store_version(
            dataset,
            result.dataset,
            report,
            report_dict,
            operation="import",
            params={"options": vars(options)},
            parent=None,
            source_path=str(path.resolve()),
            source_sha256=result.source_sha256,
            fmt=result.format,
            mapping=mapping,
        )

    async def report_version(self, ref: str | int) -> dict[str, Any]:
        version = await self.get_version(ref)
        return {**version.report, "version": version.ref, "hash": version.content_hash}

    async def fix(
        self, ref: str | int, ops: Sequence[str], progress: Progress | None = None
    ) -> DatasetVersion:
        from vibeflow.data.fixes import FIXES, apply_fixes

        unknown = [op for op in ops if op not in FIXES]
        if unknown or not ops:
            raise VibeFlowError(
                f"unknown fix {', '.join(unknown)}" if unknown else "no fix given",
                fix=f"choose from: {', '.join(FIXES)}",
            )
        parent = await self.get_version(ref)
        options = ReportOptions(**parent.operation_params.get("options", {}))
        ds = (await asyncio.to_thread(self.load, parent)).remove_columns(["score"])

        def work():  # noqa: ANN202
            report = _report_for(ds, parent.format or "", parent.mapping, options, progress)
            fixed, summary = apply_fixes(ds, report, list(ops))
            return fixed, summary, _report_for(fixed, parent.format or "", parent.mapping, options, progress)

        fixed, summary, new_report = await asyncio.to_thread(work)
        report_dict = {**new_report.to_dict(), "fixes_applied": summary}
        return await self._store_version(
            parent.dataset,
            fixed,
            new_report,
            report_dict,
            operation="fix",
            params={"ops": list(ops), "summary": summary, "options": vars(options)},
            parent=parent,
            source_path=parent.source_path,
            source_sha256=parent.source_sha256,
            fmt=parent.format,
            mapping=parent.mapping,
        )

    async def split(
        self,
        ref: str | int,
        *,
        test_fraction: float = 0.2,
        seed: int = 42,
        progress: Progress | None = None,
    ) -> tuple[DatasetVersion, DatasetVersion]:
        from vibeflow.data.split import split_dataset

        if not 0 < test_fraction < 1:
            raise VibeFlowError(
                f"--test must be between 0 and 1, got {test_fraction}", fix="use e.g. --test 0.2"
            )
        parent = await self.get_version(ref)
        options = ReportOptions(**parent.operation_params.get("options", {}))
        ds = (await asyncio.to_thread(self.load, parent)).remove_columns(["score"])
        train, test = await asyncio.to_thread(split_dataset, ds, test_fraction=test_fraction, seed=seed)
        if len(train) == 0 or len(test) == 0:
            raise VibeFlowError(
                f"a {test_fraction:.0%} split of {len(ds)} rows leaves one side empty",
                fix="add more rows or choose a different --test fraction",
            )
        params = {"test_fraction": test_fraction, "seed": seed, "options": vars(options)}
        # The train report carries the leakage check: test rows that (near-)duplicate train rows.
        train_report = await asyncio.to_thread(
            _report_for, train, parent.format or "", parent.mapping, options, progress, test
        )
        test_report = await asyncio.to_thread(
            _report_for, test, parent.format or "", parent.mapping, options, progress
        )
        train_dict = train_report.to_dict()
        common = dict(
            parent=parent,
            source_path=parent.source_path,
            source_sha256=parent.source_sha256,
            fmt=parent.format,
            mapping=parent.mapping,
        )
        # Both sides in one transaction: a crash before the commit leaves neither (only unreferenced
        # artifacts), so a train version never exists without the test set it was split from.
        train_version = await self._stage_version(
            parent.dataset,
            train,
            train_report,
            train_dict,
            operation="split",
            params={**params, "side": "train"},
            role="train",
            **common,
        )
        test_version = await self._stage_version(
            parent.dataset,
            test,
            test_report,
            test_report.to_dict(),
            operation="split",
            params={**params, "side": "test", "train_version": train_version.id},
            role="test",
            **common,
        )
        await self._commit(train_version, test_version)
        return train_version, test_version

    async def _dataset(self, name: str) -> Dataset:
        project = await self.project()
        dataset = await self.session.scalar(
            select(Dataset).where(Dataset.project_id == project.id, Dataset.name == name)
        )
        if dataset is None:
            dataset = Dataset(project_id=project.id, name=name)
            self.session.add(dataset)
            await self.session.flush()
        return dataset

    async def _store_version(
        self, dataset: Dataset, ds: Any, report: Any, report_dict: dict[str, Any], **kw: Any
    ) -> DatasetVersion:
        """Write the artifact first (atomic, content-addressed), then the row in one transaction."""
        version = await self._stage_version(dataset, ds, report, report_dict, **kw)
        await self._commit(version)
        return version

    async def _commit(self, *versions: DatasetVersion) -> None:
        await self.session.commit()
        for version in versions:
            await self.session.refresh(version, ["dataset"])

    async def _stage_version(
        self,
        dataset: Dataset,
        ds,
        report,
        report_dict: dict[str, Any],
        *,
        operation: str,  # noqa: ANN001
        params: dict[str, Any],
        parent: DatasetVersion | None,
        source_path: str | None,
        source_sha256: str | None,
        fmt: str | None,
        mapping: dict[str, Any],
        role: str = "full",
    ) -> DatasetVersion:
        """Write the artifact (atomic, content-addressed) and add its row to the session, uncommitted."""

        def write() -> tuple[str, Path]:
            with_scores = ds.add_column("score", [float(s) for s in report.row_scores])
            staged = self.artifacts.staging_file(".parquet")
            with_scores.to_parquet(str(staged))
            return self.artifacts.commit(staged, ".parquet")

        digest, final = await asyncio.to_thread(write)
        number = 1 + max((v.number for v in await self._versions(dataset)), default=0)
        version = DatasetVersion(
            dataset_id=dataset.id,
            number=number,
            parent_id=parent.id if parent else None,
            content_hash=digest,
            artifact_path=self.artifacts.relative(final),
            operation=operation,
            operation_params=params,
            role=role,
            source_path=source_path,
            source_sha256=source_sha256,
            format=fmt,
            mapping=mapping,
            rows=len(ds),
            score=report_dict.get("score"),
            stats={"lengths": report_dict.get("lengths", {})},
            report=report_dict,
        )
        self.session.add(version)
        await self.session.flush()  # the id, for a sibling that refers to it in the same transaction
        return version

    async def _versions(self, dataset: Dataset) -> list[DatasetVersion]:
        result = await self.session.scalars(
            select(DatasetVersion).where(DatasetVersion.dataset_id == dataset.id)
        )
        return list(result)


def _dataset_name(path: Path) -> str:
    return safe_name(path.stem, "-").strip("-") or "dataset"


def version_summary(version: DatasetVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "ref": version.ref,
        "dataset": version.dataset.name,
        "number": version.number,
        "hash": version.content_hash,
        "parent_id": version.parent_id,
        "operation": version.operation,
        "params": version.operation_params,
        "role": version.role,
        "rows": version.rows,
        "score": version.score,
        "format": version.format,
        "mapping": version.mapping,
        "source_path": version.source_path,
        "artifact": version.artifact_path,
        "created_at": version.created_at.isoformat() if version.created_at else None,
    }
