"""`vibeflow cloud plan`: SkyPilot's optimizer (dry run, in its venv) against the shipped dated catalog copy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vibeflow.cloud.plan import CATALOG_AS_OF, plan, render
from vibeflow.recipe.loader import load_recipe
from vibeflow.recipe.model import Recipe

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A vibeflow.yaml on the support example, asking for one cloud A100 (40 GB) on demand."""
    init = subprocess.run(
        [sys.executable, "-m", "vibeflow", "init", "--data", str(REPO / "examples" / "support.csv"),
         "--name", "support-bot", "--dir", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    path = tmp_path / "vibeflow.yaml"
    text = (
        path.read_text()
        .replace("  # gpu: A100-80GB", "  gpu: A100-40GB   #")
        .replace("  # spot: true", "  spot: false")
    )
    path.write_text(
        text.replace("base_model: vibeflow-demo-tiny", "base_model: Qwen/Qwen2.5-0.5B-Instruct  #")
    )
    return tmp_path


def test_offline_plan_from_the_cli_picks_the_cheapest_offer_and_prices_the_run(sky_home, workspace) -> None:  # noqa: ANN001
    result = subprocess.run(
        [sys.executable, "-m", "vibeflow", "cloud", "plan", str(workspace), "--offline-clouds", "lambda,runpod", "--json"],
        capture_output=True, text=True, env=os.environ.copy(), timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert out["ok"] and out["mode"] == "offline" and out["enabled_clouds"] == ["lambda", "runpod"]
    chosen = out["chosen"]  # RunPod has no 40 GB A100: Lambda's gpu_1x_a100 ($1.99/h in the catalog copy)
    assert (chosen["cloud"], chosen["instance_type"], chosen["usd_per_hour"]) == (
        "Lambda",
        "gpu_1x_a100",
        1.99,
    )
    assert chosen["use_spot"] is False and chosen["region"]
    hours = out["time"]["hours"]
    assert hours and out["estimated_total_usd"] == round(1.99 * hours, 2)
    assert CATALOG_AS_OF in out["price_source"]


def test_spot_where_no_enabled_cloud_offers_it_lists_alternatives(sky_home, workspace) -> None:  # noqa: ANN001
    recipe, path = load_recipe(workspace)
    data = recipe.model_dump(mode="json")
    data["compute"].update(gpu="A100-80GB", spot=True)
    result = plan(Recipe.model_validate(data), path.parent, offline=["lambda"])  # Lambda sells no spot
    assert result["ok"] is False and result["fault"]["fault"] == "not_offered"
    offers = {(o["cloud"], o["instance_type"]): o["usd_per_hour"] for o in result["alternatives"]}
    assert offers[("RunPod", "1x_A100-80GB_SECURE")] == 1.39  # spot price of the catalog copy
    assert "RunPod" in render(result) and "fix:" in render(result)


def test_without_enabled_clouds_the_plan_explains_and_still_shows_prices(sky_home, workspace) -> None:  # noqa: ANN001
    recipe, path = load_recipe(workspace)
    result = plan(recipe, path.parent)  # live mode: SkyPilot's own check finds no credentials in this HOME
    assert result["ok"] is False and result["fault"]["fault"] == "no_clouds"
    assert "vibeflow cloud check" in result["fault"]["fix"] and "NoCloudAccessError" in result["detail"]
    lambda_a100 = [o for o in result["alternatives"] if o["instance_type"] == "gpu_1x_a100"]
    assert lambda_a100 and lambda_a100[0]["usd_per_hour"] == 1.99
    assert result["time"]["hours"] > 0
