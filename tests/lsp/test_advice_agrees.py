"""The learning-rate diagnostic's range and its quick fix come from one recommendation: they never disagree."""

from __future__ import annotations

import pytest

from vibeflow.lsp import advice as adv
from vibeflow.recipe.model import Recipe
from vibeflow.recipe.presets import resolve_training
from vibeflow.recommend.catalog import models


@pytest.mark.parametrize("method", ["lora", "qlora", "full"])
@pytest.mark.parametrize("rows", [40, 800, 5_000, 50_000, 400_000])
def test_recommended_learning_rate_lies_in_the_range_the_diagnostic_quotes(method: str, rows: int) -> None:
    for model in models():
        recipe = Recipe.model_validate(
            {"name": "t", "base_model": model.id, "method": method, "data": {"path": "d.jsonl"}}
        )
        advice = adv.advise(recipe, resolve_training(recipe), None, "cpu")
        lr = advice.fields[adv.LR]
        assert lr.low is not None and lr.high is not None
        assert lr.low <= lr.recommended <= lr.high, (model.id, method, rows, lr)
        advice = adv.advise(recipe, resolve_training(recipe), {"rows": rows}, "cpu")
        lr = advice.fields[adv.LR]
        assert lr.low <= lr.recommended <= lr.high, (model.id, method, rows, lr)
