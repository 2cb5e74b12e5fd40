"""`vibeflow demo` end to end (the README's main command), with a short training run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from tests.backbone.conftest import run_cli

from vibeflow.recipe.loader import load_recipe
from vibeflow.recommend.recipe_adapter import data_stats_from_report, estimate_recipe


def test_demo_plan_prints_recommendation_and_the_recipes_estimate(vibeflow_home: Path) -> None:
    out = json.loads(run_cli("demo", "--no-train", "--max-steps", "6", "--json").stdout)
    versions = out["versions"]
    assert versions["fixed"]["parent_id"] == versions["imported"]["id"]
    assert versions["train"]["rows"] + versions["test"]["rows"] == versions["fixed"]["rows"]
    assert out["recommendation"]["reasons"], "the recommendation explains itself"
    assert out["run"] is None

    recipe_path = Path(out["recipe_path"])
    assert recipe_path.is_relative_to(vibeflow_home), "the demo writes only into VibeFlow's own folder"
    recipe_doc = yaml.safe_load(recipe_path.read_text())
    assert recipe_doc["data"]["version"] == versions["train"]["ref"]
    assert recipe_doc["training"]["max_steps"] == 6
    assert (
        recipe_doc["training"]["learning_rate"] == out["recommendation"]["hyperparameters"]["learning_rate"]
    )

    # The printed estimate is what the estimator says for the written recipe and the train split's report.
    recipe, file = load_recipe(recipe_path)
    stats = data_stats_from_report(versions["train"]["report"], rows=versions["train"]["rows"])
    again = estimate_recipe(recipe, stats=stats, base_dir=file.parent).model_dump(mode="json")
    assert again["time"]["seconds"] == out["estimate"]["time"]["seconds"]
    assert again["memory"] == out["estimate"]["memory"]


def test_demo_trains_and_prints_the_adapter(vibeflow_home: Path) -> None:
    result = run_cli("demo", "--max-steps", "6")
    text = result.stdout
    order = [text.index(h) for h in ("Data Quality Report", "Recommended setup", "Estimate", "Training")]
    assert order == sorted(order), "stages print in pipeline order"
    adapter = Path(re.search(r"^Adapter: (.+)$", text, re.MULTILINE).group(1))
    assert (adapter / "adapter_config.json").is_file()
    assert adapter.is_relative_to(vibeflow_home)
