"""HTTP routes for cloud (SkyPilot): setup state, cloud check, plan of a recipe, a run's cloud job."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from vibeflow.errors import NotFoundError

router = APIRouter()


class PlanBody(BaseModel):
    recipe_path: str
    offline_clouds: list[str] | None = None


@router.get("/api/cloud/status")
async def cloud_status() -> dict[str, Any]:
    from vibeflow.cloud.env import SKYPILOT_VERSION, installed, venv_dir

    env = installed()
    return {"installed": env is not None, "skypilot": SKYPILOT_VERSION, "venv": str(venv_dir()),
            "fix": "" if env else "run `vibeflow cloud setup`"}  # fmt: skip


@router.get("/api/cloud/check")
async def cloud_check() -> dict[str, Any]:
    from vibeflow.cloud.check import check_clouds

    return await asyncio.to_thread(check_clouds)


@router.post("/api/cloud/plan")
async def cloud_plan(body: PlanBody) -> dict[str, Any]:
    from vibeflow.cloud.plan import plan
    from vibeflow.recipe.loader import load_recipe

    recipe, path = load_recipe(Path(body.recipe_path))
    return await asyncio.to_thread(plan, recipe, path.parent, offline=body.offline_clouds)


@router.get("/api/cloud/runs/{run_id}")
async def cloud_job(run_id: str, request: Request) -> dict[str, Any]:
    from vibeflow.store.models_cloud import CloudJob

    async with request.app.state.db.session() as session:
        job = await session.get(CloudJob, run_id)
        if job is None:
            raise NotFoundError(
                f"run {run_id} has no cloud job", fix="cloud runs start with `vibeflow train --cloud`"
            )
        return job.to_dict()
