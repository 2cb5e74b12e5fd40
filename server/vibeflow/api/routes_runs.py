"""Run routes: create/list/get/stop/resume/retry, curves with downsampling, the event log and SSE streams.

The job queue (RunManager) is created in this router's lifespan, which FastAPI nests inside the app's, so
the database is open before the queue adopts runs left by a previous backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from vibeflow.recipe.loader import load_recipe, parse_recipe, recipe_from_data, validate_text
from vibeflow.recipe.schema import recipe_schema
from vibeflow.runs.adjust import apply_changes
from vibeflow.runs.errors import RunError
from vibeflow.runs.logs import read_log_tail
from vibeflow.runs.manager import RunManager
from vibeflow.runs.process import LOG_NAME
from vibeflow.runs.service import RunService
from vibeflow.runs.sse import run_events, status_changes
from vibeflow.runs.summary import run_detail, run_summary
from vibeflow.store.ids import MAX_INT


@asynccontextmanager
async def runs_lifespan(app: FastAPI) -> AsyncIterator[None]:
    manager = RunManager(app.state.db, app.state.settings)
    await manager.start()
    app.state.runs = manager
    try:
        yield
    finally:
        await manager.close()


router = APIRouter(prefix="/api", tags=["runs"], lifespan=runs_lifespan)


async def run_service(request: Request) -> AsyncIterator[RunService]:
    async with request.app.state.db.session() as session:
        yield RunService(session, request.app.state.settings)


Service = Annotated[RunService, Depends(run_service)]
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _manager(request: Request) -> RunManager:
    return request.app.state.runs


class CreateRunBody(BaseModel):
    """Start a run from a recipe file on this machine, or from recipe text (data paths relative to base_dir)."""

    recipe_path: str | None = Field(None, description="path of a vibeflow.yaml (or of its folder)")
    recipe: str | None = Field(None, description="recipe YAML text, e.g. the unsaved editor buffer")
    base_dir: str | None = Field(None, description="folder that relative data paths in `recipe` start from")
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="dotted recipe changes for this run only, e.g. {'training.max_steps': 20}",
    )
    start: bool = Field(True, description="queue it right away")
    over_budget: bool = Field(
        False, description="start even if the estimate exceeds the remaining monthly budget (else HTTP 409)"
    )


class RetryBody(BaseModel):
    changes: dict[str, Any] | None = Field(
        None, description="dotted recipe changes to use instead of the suggested ones"
    )


class RecipeText(BaseModel):
    text: str
    file: str = "vibeflow.yaml"


@router.post("/runs", status_code=201, summary="Create a run from a recipe (prepares data, queues it)")
async def create_run(body: CreateRunBody, request: Request, service: Service) -> dict[str, Any]:
    if body.recipe is not None:
        recipe, path = parse_recipe(body.recipe, "vibeflow.yaml"), None
        base = Path(body.base_dir) if body.base_dir else None
    elif body.recipe_path:
        recipe, path = await asyncio.to_thread(load_recipe, Path(body.recipe_path))
        base = path.parent
    else:
        raise RunError("no recipe given", fix="send recipe_path (a vibeflow.yaml) or recipe (its text)")
    if body.overrides:
        recipe = recipe_from_data(apply_changes(recipe.model_dump(mode="json"), body.overrides), "overrides")
    run = await service.create(recipe, recipe_path=path, base_dir=base, over_budget=body.over_budget)
    if body.start:
        await _manager(request).submit(run.id)
    return run_detail(await service.refresh(run))


@router.get("/runs", summary="Runs, newest first")
async def list_runs(
    service: Service,
    status: str | None = None,
    name: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    return [run_summary(run) for run in await service.list(status=status, name=name, limit=limit)]


@router.get("/runs/stream", summary="SSE: a snapshot, then every run's status and stage changes")
async def stream_runs(
    request: Request, max_events: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None
) -> StreamingResponse:
    state = request.app.state
    return StreamingResponse(
        status_changes(state.db, state.settings, state.runs.bus, max_events),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


@router.get("/budget", summary="This month's budget: spent, committed, remaining, forecast, 80/95 % alerts")
async def get_budget(service: Service) -> dict[str, Any]:
    from vibeflow.runs.budget_guard import budget_overview

    return await budget_overview(service.session)


@router.get("/runs/{run_id}/cost", summary="Running cost vs estimate (drift warning past +20 %)")
async def get_run_cost(run_id: str, service: Service) -> dict[str, Any]:
    from vibeflow.runs.budget_guard import run_cost_view

    return await run_cost_view(service.session, await service.get(run_id))


@router.get("/runs/{run_id}", summary="One run: status, progress, recipe, spec, error")
async def get_run(run_id: str, service: Service) -> dict[str, Any]:
    return run_detail(await service.get(run_id))


@router.post("/runs/{run_id}/stop", summary="Graceful stop: the trainer checkpoints and exits")
async def stop_run(run_id: str, request: Request, service: Service) -> dict[str, Any]:
    run = await service.get(run_id)
    await _manager(request).stop(run.id)
    return run_summary(await service.refresh(run))


@router.post("/runs/{run_id}/resume", summary="Re-launch a stopped/failed/orphaned run from its checkpoint")
async def resume_run(run_id: str, request: Request, service: Service) -> dict[str, Any]:
    run = await service.get(run_id)
    await _manager(request).resume(run.id)
    return run_summary(await service.refresh(run))


@router.get("/runs/{run_id}/retry-plan", summary="What a retry would change (suggestion and config diff)")
async def retry_plan(run_id: str, service: Service) -> dict[str, Any]:
    plan = await service.retry_plan(run_id)
    return {
        "run_id": plan["run"].id,
        "suggestion": plan["suggestion"].to_dict(),
        "diff": plan["diff"],
        "effective_diff": plan["effective_diff"],
        "tree": plan["tree"],
    }


@router.post(
    "/runs/{run_id}/retry", status_code=201, summary="New run with the suggested fix; records lineage"
)
async def retry_run(
    run_id: str, request: Request, service: Service, body: RetryBody | None = None
) -> dict[str, Any]:
    run, adjustments = await service.retry(run_id, body.changes if body else None)
    await _manager(request).submit(run.id)
    return {**run_detail(await service.refresh(run)), "adjustments": adjustments}


@router.get("/runs/{run_id}/metrics", summary="Metric curves, downsampled server-side (first/last kept)")
async def get_metrics(
    run_id: str,
    service: Service,
    names: str | None = None,
    max_points: Annotated[int, Query(ge=2, le=100_000)] = 500,
    method: Literal["minmax", "lttb"] = "minmax",
) -> dict[str, Any]:
    wanted = [n.strip() for n in names.split(",") if n.strip()] if names else None
    return await service.metrics(run_id, names=wanted, max_points=max_points, method=method)


@router.get("/runs/{run_id}/events", summary="Event log page: events with seq > after_seq")
async def get_events(
    run_id: str,
    service: Service,
    after_seq: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    type: str | None = None,
) -> dict[str, Any]:
    types = [t.strip() for t in type.split(",")] if type else None
    return await service.events(run_id, after_seq=after_seq, limit=limit, types=types)


@router.get(
    "/runs/{run_id}/events/stream",
    summary="SSE: stored events after after_seq, then live; ends with `event: end` when the run finishes",
)
async def stream_events(
    run_id: str,
    request: Request,
    service: Service,
    after_seq: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    last_event_id: Annotated[int | None, Header(ge=0, le=MAX_INT)] = None,
) -> StreamingResponse:
    run = await service.get(run_id)
    state = request.app.state
    cursor = max(after_seq, last_event_id or 0)
    return StreamingResponse(
        run_events(state.db, state.settings, state.runs.bus, run.id, cursor),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


@router.get("/runs/{run_id}/logs", summary="The trainer's console output (last lines)")
async def get_logs(
    run_id: str, service: Service, tail: Annotated[int, Query(ge=1, le=20_000)] = 200, events: bool = False
) -> dict[str, Any]:
    run = await service.get(run_id)
    lines = await asyncio.to_thread(read_log_tail, Path(run.output_dir) / LOG_NAME, tail, events)
    return {"run_id": run.id, "lines": lines}


@router.post("/recipe/validate", tags=["recipe"], summary="Validate recipe text; every issue with its line")
async def validate_recipe(body: RecipeText) -> dict[str, Any]:
    recipe, issues = validate_text(body.text, body.file)
    return {"valid": recipe is not None, "issues": [issue.to_dict() for issue in issues]}


@router.get("/recipe/schema", tags=["recipe"], summary="JSON Schema of vibeflow.yaml")
async def get_schema() -> dict[str, Any]:
    return recipe_schema()
