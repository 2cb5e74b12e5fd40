"""Recommender and cost/time/memory estimator: model & GPU catalogs, decision rules, calibration, budget.

Every public function takes and returns plain JSON-able pydantic models, so the CLI, the HTTP API, the
language server and the brainstorm agent (as function-calling tools, see `tools.py`) share one engine.
Exports are loaded lazily: importing a submodule (e.g. the trainer runner) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "recommend": "vibeflow.recommend.recommender",
    "estimate": "vibeflow.recommend.estimator",
    "estimate_recipe": "vibeflow.recommend.recipe_adapter",
    "request_from_recipe": "vibeflow.recommend.recipe_adapter",
    "estimate_memory": "vibeflow.recommend.memory",
    "check_fit": "vibeflow.recommend.memory",
    "calibrate_cpu": "vibeflow.recommend.cpu_calibrate",
    "record_actual": "vibeflow.recommend.calibration",
    "correction_for": "vibeflow.recommend.calibration",
    "RunMeasurement": "vibeflow.recommend.calibration",
    "check_budget": "vibeflow.recommend.budget",
    "budget_status": "vibeflow.recommend.budget",
    "cost_drift": "vibeflow.recommend.budget",
    "BudgetState": "vibeflow.recommend.budget",
    "find_model": "vibeflow.recommend.catalog",
    "find_gpu": "vibeflow.recommend.catalog",
    "models": "vibeflow.recommend.catalog",
    "gpus": "vibeflow.recommend.catalog",
    "RecommendRequest": "vibeflow.recommend.schemas",
    "Recommendation": "vibeflow.recommend.schemas",
    "EstimateRequest": "vibeflow.recommend.schemas",
    "Estimate": "vibeflow.recommend.schemas",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vibeflow.recommend' has no attribute {name!r}")
    return getattr(import_module(module), name)
