"""A run whose base_model is a local model folder is estimated from its config.json, so the budget guard checks
it (refuses it over the recipe's limits) instead of starting it unchecked — through RunService and `vibeflow train`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.runs.conftest import recipe_text, run_cli, store_split
from tests.support.model_dirs import SMOLLM2_PARAMS, write_model_dir

from vibeflow.recipe.loader import parse_recipe
from vibeflow.recommend.errors import BudgetExceededError
from vibeflow.runs.service import RunService
from vibeflow.store.models_runs import RunEvent

TINY_HOURS = "budget:\n  max_hours: 0.00001\n"


def local_recipe(model: Path) -> str:
    return recipe_text().replace("preset: balanced", f"base_model: {model}\npreset: balanced")


async def payloads(db, run_id: str, type_: str) -> list[dict]:  # noqa: ANN001
    async with db.session() as session:
        rows = await session.scalars(
            select(RunEvent.payload)
            .where(RunEvent.run_id == run_id, RunEvent.type == type_)
            .order_by(RunEvent.seq)
        )
        return list(rows)


async def test_a_local_model_folder_is_budget_checked(db, settings, tmp_path: Path) -> None:  # noqa: ANN001
    await store_split(db, settings)
    model = write_model_dir(tmp_path / "models" / "smol-ft")
    async with db.session() as session:
        with pytest.raises(BudgetExceededError) as refused:
            await RunService(session, settings).create(
                parse_recipe(local_recipe(model) + TINY_HOURS), base_dir=tmp_path
            )
        assert "exceeds the recipe's budget.max_hours" in refused.value.message
        run = await RunService(session, settings).create(parse_recipe(local_recipe(model)), base_dir=tmp_path)
    [record] = await payloads(db, run.id, "budget")
    assert record["base_model"] == str(model) and record["estimate_s"] > 0 and record["device"] == "cpu"
    assert not any(a["kind"] == "budget_unchecked" for a in await payloads(db, run.id, "alert"))


async def test_vibeflow_train_refuses_a_local_model_over_budget(
    db, settings, fake_trainer, tmp_path: Path
) -> None:  # noqa: ANN001
    await store_split(db, settings)
    model = write_model_dir(tmp_path / "models" / "smol-ft")
    (tmp_path / "vibeflow.yaml").write_text(local_recipe(model) + TINY_HOURS)
    refused = run_cli("train", str(tmp_path))
    assert refused.returncode == 2 and "budget.max_hours" in refused.stderr, refused.stderr
    assert "budget not checked" not in refused.stderr and "Traceback" not in refused.stderr
    est = run_cli("estimate", str(tmp_path / "vibeflow.yaml"), "--examples", "24", "--json")
    assert est.returncode == 0 and json.loads(est.stdout)["memory"]["total_params"] == SMOLLM2_PARAMS
