"""The agreed recommendation becomes a valid vibeflow.yaml whose `vibeflow estimate` equals the card."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from tests.agent.conftest import Send, run_cli, write_support_csv

from vibeflow.recipe.loader import parse_recipe
from vibeflow.recommend.errors import InvalidRequestError

pytestmark = pytest.mark.usefixtures("offline")


def cli_estimate(command: str, recipe: Path) -> dict:
    args = shlex.split(command)[2:]  # drop "vibeflow estimate"
    args[0] = str(recipe)
    result = run_cli("estimate", *args, "--json", cwd=recipe.parent)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def same_numbers(card: dict, cli: dict) -> None:
    assert cli["request"] == card["request"]
    assert cli["time"]["seconds"] == card["time"]["seconds"]
    assert cli["memory"]["total_gb"] == card["memory"]["total_gb"]
    assert cli["cost"]["chosen"] == card["cost"]["chosen"]


async def test_recipe_from_stated_facts_matches_vibeflow_estimate(
    send: Send, agent_call, tmp_path: Path
) -> None:  # noqa: ANN001
    turn = await send("customer support bot, 2000 examples, accuracy matters, A100-80GB")
    card = turn["estimate"]
    recipe = await agent_call("recipe", "default")
    parsed = parse_recipe(recipe["yaml"])
    rec = turn["recommendation"]
    assert (
        parsed.base_model == rec["hf_id"]
        and parsed.method == rec["method"]
        and parsed.compute.gpu == "A100-80GB"
    )
    assert parsed.training.learning_rate == rec["hyperparameters"]["learning_rate"]
    assert recipe["estimate"] == card
    assert "--examples 2000" in recipe["estimate_command"] and recipe["estimate_command"] in recipe["yaml"]
    assert not (tmp_path / "vibeflow.yaml").exists()  # the server never writes workspace files
    path = tmp_path / "vibeflow.yaml"
    path.write_text(recipe["yaml"], encoding="utf-8")
    same_numbers(card, cli_estimate(recipe["estimate_command"], path))


async def test_recipe_for_a_stored_dataset_matches_vibeflow_estimate(
    send: Send, agent_call, dataset: str, tmp_path: Path
) -> None:  # noqa: ANN001
    turn = await send("support replies, keep the cost low, on an L4", dataset_version=dataset)
    card = turn["estimate"]
    assert card["request"]["n_examples"] + card["request"]["n_eval_examples"] == 60
    recipe = await agent_call("recipe", "default")
    assert (
        f"version: {dataset}" in recipe["yaml"]
        and recipe["estimate_command"] == "vibeflow estimate vibeflow.yaml"
    )
    path = tmp_path / "vibeflow.yaml"
    path.write_text(recipe["yaml"], encoding="utf-8")
    # the CLI reads the version's exact token lengths from the store, as the card did
    same_numbers(card, cli_estimate(recipe["estimate_command"], path))
    # and the card's "Why these settings?" quotes the same estimate
    estimate_line = next(r for r in turn["recommendation"]["reasons"] if r.startswith("Estimate:"))
    assert card["time"]["human"] in estimate_line


async def test_recipe_errors(agent_call, send: Send) -> None:  # noqa: ANN001
    with pytest.raises(InvalidRequestError, match="no recommendation"):
        await agent_call("recipe", "empty-project")
    with pytest.raises(InvalidRequestError, match="not valid"):
        await agent_call("recipe", "default", {"base_model": "x"})
    turn = await send("extract invoice fields as JSON, 300 examples, cheap, train on this machine")
    explicit = await agent_call("recipe", "other-project", turn["recommendation"])
    assert "target: local" in explicit["yaml"] and explicit["estimate"] == turn["estimate"]


async def test_unknown_dataset_is_a_clear_answer(send: Send) -> None:
    answer = await send("support bot", dataset_version="nope@7")
    assert "dataset version 'nope@7' not found" in answer["reply"] and "vibeflow data list" in answer["reply"]


async def test_recipe_for_a_workspace_file_matches_plain_vibeflow_estimate(
    send: Send, agent_call, tmp_path: Path
) -> None:  # noqa: ANN001
    workspace = tmp_path / "ws"
    (workspace / "data").mkdir(parents=True)
    data = write_support_csv(workspace / "data" / "tickets.csv", rows=120)
    turn = await send("a customer-support bot, accuracy matters, on an L40S", data_path=str(data))
    assert turn["estimate"]["request"]["n_examples"] + turn["estimate"]["request"]["n_eval_examples"] == 120
    recipe = await agent_call("recipe", "default", None, str(workspace))
    assert (
        "path: data/tickets.csv" in recipe["yaml"]
        and recipe["estimate_command"] == "vibeflow estimate vibeflow.yaml"
    )
    (workspace / "vibeflow.yaml").write_text(recipe["yaml"], encoding="utf-8")
    result = run_cli("estimate", "--json", cwd=workspace)  # no flags at all: it samples data/tickets.csv
    assert result.returncode == 0, result.stderr
    same_numbers(turn["estimate"], json.loads(result.stdout))
    relative = await send("plan for this file", data_path="data/tickets.csv")
    assert "is relative" in relative["reply"] and "absolute path" in relative["reply"]
