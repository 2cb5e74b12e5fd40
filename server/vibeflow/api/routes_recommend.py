"""Recommender routes: recommend, estimate, budget check, calibration summary, and the model/GPU catalogs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from vibeflow.recommend import catalog
from vibeflow.recommend.budget import BudgetCheck, BudgetState, BudgetStatus, budget_status, check_budget
from vibeflow.recommend.schemas import Estimate, EstimateRequest, Recommendation, RecommendRequest

router = APIRouter(prefix="/api", tags=["recommend"])


class EstimateBody(BaseModel):
    """Exactly one of: `request` (explicit settings), `recipe` (vibeflow.yaml contents as JSON, or a plain dict
    with training/compute/data blocks) or `recipe_path` (a vibeflow.yaml on this machine)."""

    model_config = ConfigDict(extra="forbid")

    request: EstimateRequest | None = None
    recipe: dict[str, Any] | None = None
    recipe_path: str | None = None
    stats: dict[str, Any] | None = Field(
        None,
        description="rows, avg_tokens_in, avg_tokens_out, length_cv, "
        "max_tokens of the data (from its quality report)",
    )
    device: str | None = Field(None, description="estimate on this device instead of the recipe's")

    @model_validator(mode="after")
    def _one_source(self) -> EstimateBody:
        given = [x for x in (self.request, self.recipe, self.recipe_path) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of request, recipe or recipe_path")
        return self


class BudgetCheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    estimate: Estimate
    budget: BudgetState = Field(default_factory=BudgetState)
    override: bool = False
    max_cost_usd: float | None = None
    max_hours: float | None = None


@router.post("/recommend", response_model=Recommendation)
def post_recommend(body: RecommendRequest) -> Recommendation:
    from vibeflow.recommend.recommender import recommend

    return recommend(body)


@router.post("/estimate", response_model=Estimate)
def post_estimate(body: EstimateBody) -> Estimate:
    from vibeflow.recommend.estimator import estimate
    from vibeflow.recommend.recipe_adapter import estimate_recipe

    if body.request is not None:
        return estimate(
            body.request if body.device is None else body.request.model_copy(update={"device": body.device})
        )
    if body.recipe_path is not None:
        from vibeflow.recipe.loader import load_recipe

        recipe, file = load_recipe(Path(body.recipe_path))
        return estimate_recipe(recipe, stats=body.stats, base_dir=file.parent, device=body.device)
    return estimate_recipe(body.recipe, stats=body.stats, device=body.device)


@router.get("/catalog/models")
def get_models() -> list[dict[str, Any]]:
    return [m.model_dump(mode="json") for m in catalog.models()]


@router.get("/catalog/gpus")
def get_gpus() -> list[dict[str, Any]]:
    return [g.model_dump(mode="json") for g in catalog.all_devices()]


@router.post("/budget/status", response_model=BudgetStatus)
def post_budget_status(body: BudgetState) -> BudgetStatus:
    return budget_status(body)


@router.post("/budget/check", response_model=BudgetCheck)
def post_budget_check(body: BudgetCheckBody) -> BudgetCheck:
    return check_budget(
        body.estimate, body.budget, body.override, max_cost_usd=body.max_cost_usd, max_hours=body.max_hours
    )


@router.get("/calibration")
def get_calibration() -> dict[str, Any]:
    from vibeflow.recommend.calibration import history, load_store

    store = load_store()
    return {"cpu": store.get("cpu"), "factors": store.get("factors", {}), "recent": history(20)}
