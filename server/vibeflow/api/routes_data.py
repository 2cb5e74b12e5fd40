"""Data routes: upload, preview, report, import, fix, split, list versions and browse rows by score."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from pydantic import BaseModel, Field

from vibeflow.api.deps import dataset_service
from vibeflow.api.params import Int64
from vibeflow.data.uploads import store_upload, upload_name, uploads_dir
from vibeflow.data.versions import DatasetService, ReportOptions, report_file, version_summary
from vibeflow.errors import VibeFlowError
from vibeflow.store.ids import MAX_INT

router = APIRouter(prefix="/api", tags=["data"])
Service = Annotated[DatasetService, Depends(dataset_service)]


class MappingBody(BaseModel):
    """Optional manual column mapping, required when detection confidence is below 0.6."""

    input_col: str | list[str] | None = None
    output_col: str | None = None
    system_col: str | None = None
    skip_bad_rows: bool = False


class ReportBody(MappingBody):
    path: str = Field(description="absolute path of a file on this machine (see /api/data/upload)")
    model: str | None = Field("vibeflow-demo-tiny", description="tokenizer for token lengths")
    context_length: Int64 = Field(2048, ge=1)


class ImportBody(ReportBody):
    name: str | None = None


class FixBody(BaseModel):
    ops: list[str] = Field(description="fixes to apply, e.g. ['drop_missing', 'dedup_exact']")


class SplitBody(BaseModel):
    test: float = Field(0.2, gt=0, lt=1)
    seed: Int64 = 42


def _mapping(body: MappingBody) -> dict[str, Any]:
    return body.model_dump(include={"input_col", "output_col", "system_col", "skip_bad_rows"})


def _existing(path: str) -> Path:
    resolved = Path(path).expanduser()
    if not resolved.is_file():
        raise VibeFlowError(
            f"no such file: {path}",
            fix="upload it with POST /api/data/upload or give an absolute path",
            file=path,
            http_status=404,
        )
    return resolved


@router.post(
    "/data/upload", summary="Upload a data file; returns the server-side path to import and its sha256"
)
async def upload(request: Request, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    name = upload_name(file.filename)
    uploads = uploads_dir(request.app.state.settings.home)
    stored = await asyncio.to_thread(store_upload, uploads, name, file.file)
    return stored.to_dict()


@router.get("/data/preview", summary="Columns, first rows and the detected mapping with its confidence")
async def preview(path: str) -> dict[str, Any]:
    from vibeflow.data.readers import preview_columns

    return await asyncio.to_thread(preview_columns, _existing(path))


@router.post("/data/report", summary="Quality report for a file (stores nothing)")
async def report(body: ReportBody) -> dict[str, Any]:
    options = ReportOptions(model=body.model, context_length=body.context_length)
    return await asyncio.to_thread(report_file, _existing(body.path), options, None, **_mapping(body))


@router.post("/data/import", summary="Import a file as a new immutable dataset version")
async def import_file(body: ImportBody, service: Service) -> dict[str, Any]:
    options = ReportOptions(model=body.model, context_length=body.context_length)
    version = await service.import_file(
        _existing(body.path), name=body.name, options=options, **_mapping(body)
    )
    return {**version_summary(version), "report": version.report}


@router.get("/datasets", summary="Datasets with their versions")
async def list_datasets(service: Service) -> list[dict[str, Any]]:
    return [
        {"dataset": d.name, "versions": [version_summary(v) for v in d.versions]}
        for d in await service.list_datasets()
    ]


@router.get("/datasets/versions/{ref}", summary="One version: lineage, mapping, stats")
async def get_version(ref: str, service: Service) -> dict[str, Any]:
    return version_summary(await service.get_version(ref))


@router.get("/datasets/versions/{ref}/report", summary="The stored quality report of a version")
async def get_report(ref: str, service: Service) -> dict[str, Any]:
    return await service.report_version(ref)


@router.get("/datasets/versions/{ref}/rows", summary="Rows with quality scores; filter by score range")
async def get_rows(
    ref: str,
    service: Service,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    min_score: float | None = None,
    max_score: float | None = None,
) -> dict[str, Any]:
    return await service.rows(ref, offset=offset, limit=limit, min_score=min_score, max_score=max_score)


@router.post("/datasets/versions/{ref}/fix", summary="Apply fixes into a new version")
async def fix(ref: str, body: FixBody, service: Service) -> dict[str, Any]:
    version = await service.fix(ref, body.ops)
    return {**version_summary(version), "report": version.report}


@router.post("/datasets/versions/{ref}/split", summary="Seeded train/test split into two new versions")
async def split(ref: str, body: SplitBody, service: Service) -> dict[str, Any]:
    train, test = await service.split(ref, test_fraction=body.test, seed=body.seed)
    leakage = next((i for i in train.report.get("issues", []) if i["kind"] == "leakage"), None)
    return {"train": version_summary(train), "test": version_summary(test), "leakage": leakage}
