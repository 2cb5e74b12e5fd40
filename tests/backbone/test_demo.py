"""`vibeflow demo` end to end (the README's main command), with a short training run."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import time
from pathlib import Path

import pytest
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


def test_demo_trains_evaluates_deploys_and_calls_the_endpoint(
    vibeflow_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIBEFLOW_GATEWAY_PORT", "0")  # the default 8787 may be taken on a shared machine
    try:
        # The random-weights test model keeps this check of the pipeline fast; the real default base runs in
        # test_demo_on_the_real_default_base_improves_it (VIBEFLOW_REAL_DEMO=1) and tests/trainer/test_smollm2.py.
        text = run_cli("demo", "--max-steps", "6", "--base-model", "vibeflow-demo-tiny").stdout
        headings = [
            "Data Quality Report",
            "Recommended setup",
            "Estimate",
            "Training",
            "Evaluation",
            "Deployment",
        ]
        order = [text.index(h) for h in headings]
        assert order == sorted(order), "stages print in pipeline order"
        adapter = Path(re.search(r"^Adapter: (.+)$", text, re.MULTILINE).group(1))
        assert (adapter / "adapter_config.json").is_file() and adapter.is_relative_to(vibeflow_home)
        assert re.search(r"^Overall score: \d+/100 \(base \d+/100", text, re.MULTILINE), (
            "base vs tuned printed"
        )
        assert re.search(r"^A: (['\"]).*\1$", text, re.MULTILINE), (
            "the endpoint answered through the openai client"
        )

        deployments = json.loads(run_cli("deployments", "list", "--json").stdout)
        assert [d["status"] for d in deployments] == ["live"]
        evaluations = json.loads(run_cli("eval", "list", "--json").stdout)
        assert [e["status"] for e in evaluations] == ["completed"], "no duplicate auto-evaluation"
    finally:
        _stop_background_backend(vibeflow_home)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("VIBEFLOW_REAL_DEMO"), reason="set VIBEFLOW_REAL_DEMO=1 (about 10 min on 2 cores)"
)
def test_demo_on_the_real_default_base_improves_it(
    vibeflow_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's main command as printed: SmolLM2-135M-Instruct, tuned beats base with an interval above 0."""
    monkeypatch.setenv("VIBEFLOW_GATEWAY_PORT", "0")
    try:
        out = json.loads(run_cli("demo", "--json", timeout=1500).stdout)
        assert out["run"]["base_model"] == "smollm2-135m-instruct"
        differences = out["evaluation"]["summary"]["differences"]
        for metric in ("token_f1", "rouge_l"):
            assert differences[metric]["low"] > 0, differences[metric]
        assert out["answer"].strip()
    finally:
        _stop_background_backend(vibeflow_home)


def _stop_background_backend(home: Path) -> None:
    info_path = home / "server.json"
    if not info_path.exists():
        return
    pid = json.loads(info_path.read_text())["pid"]
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)
