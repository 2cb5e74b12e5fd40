"""The recommender through its doors: HTTP routes (in-process app), the CLI (subprocess) and agent tools."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.model_dirs import SMOLLM2_PARAMS, write_model_dir

from vibeflow.recommend.tools import TOOL_DECLARATIONS, call_tool

TOKEN = "test-token"


@pytest.fixture
def client(vibeflow_home: Path) -> Iterator[TestClient]:
    from vibeflow.api.app import create_app
    from vibeflow.settings import load_settings

    with TestClient(create_app(load_settings(), TOKEN)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {TOKEN}"
        yield test_client


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vibeflow", *args], capture_output=True, text=True, cwd=cwd)


def test_http_recommend_estimate_and_catalogs(client: TestClient) -> None:
    rec = client.post(
        "/api/recommend", json={"task": "customer support", "n_examples": 1000, "priority": "cost"}
    ).json()
    assert rec["reasons"] and rec["estimate"]["cost"]["chosen"]["compute_usd"] > 0
    est = client.post(
        "/api/estimate", json={"request": {"base_model": "qwen2.5-0.5b", "device": "L4", "n_examples": 500}}
    ).json()
    assert est["device"] == "L4" and est["time"]["seconds"] > 0
    plain = client.post(
        "/api/estimate",
        json={
            "recipe": {
                "base_model": "qwen2.5-0.5b",
                "method": "lora",
                "training": {"num_epochs": 1, "lora": {"r": 8}},
                "compute": {"gpu": "T4"},
                "data": {"rows": 300},
            }
        },
    ).json()
    assert plain["device"] == "T4" and plain["request"]["lora_r"] == 8 and plain["workload"]["epochs"] == 1
    models = client.get("/api/catalog/models").json()
    gpus = client.get("/api/catalog/gpus").json()
    assert any(m["id"] == "qwen2.5-7b" for m in models) and all(m["source"] and m["as_of"] for m in models)
    assert any(g["id"] == "cpu" for g in gpus) and any(g["prices"] for g in gpus)
    assert client.get("/api/calibration").json()["factors"] == {}


def test_http_errors_are_4xx_with_a_fix(client: TestClient) -> None:
    bad = client.post("/api/recommend", json={"task": "x", "n_examples": 0})
    assert bad.status_code == 400 and "fix" in bad.json() and bad.json()["error"] == "InvalidRequestError"
    gpu = client.post("/api/estimate", json={"request": {"device": "Z80", "n_examples": 10}})
    assert gpu.status_code == 400 and gpu.json()["error"] == "UnknownGPUError"
    both = client.post("/api/estimate", json={"request": {"n_examples": 1}, "recipe": {"n_examples": 1}})
    assert both.status_code == 422
    assert client.get("/api/catalog/gpus", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_http_budget_check_refuses_then_allows_with_override(client: TestClient) -> None:
    est = client.post(
        "/api/estimate",
        json={"request": {"base_model": "qwen2.5-7b", "device": "H100", "n_examples": 50_000, "spot": False}},
    ).json()
    body = {"estimate": est, "budget": {"monthly_budget_usd": 10, "spent_usd": 9}}
    refused = client.post("/api/budget/check", json=body)
    assert refused.status_code == 409 and refused.json()["error"] == "BudgetExceededError"
    allowed = client.post("/api/budget/check", json={**body, "override": True})
    assert allowed.status_code == 200 and allowed.json()["overridden"]
    status = client.post("/api/budget/status", json={"monthly_budget_usd": 100, "spent_usd": 85}).json()
    assert status["level"] == "warning"


def test_cli_recommend_estimate_catalog(tmp_path: Path) -> None:
    rec = _cli(
        "recommend",
        "--task",
        "classify tickets",
        "--examples",
        "800",
        "--priority",
        "speed",
        "--gpu",
        "L4",
        "--json",
    )
    assert rec.returncode == 0, rec.stderr
    assert json.loads(rec.stdout)["device"] == "L4"
    human = _cli("recommend", "--task", "support bot", "--examples", "1000", "--budget", "5")
    assert human.returncode == 0 and "Why these settings?" in human.stdout
    (tmp_path / "data.jsonl").write_text(
        "\n".join(
            json.dumps(
                {
                    "instruction": "Where is my order " + str(i) + "?",
                    "output": "It ships tomorrow, sorry for the wait.",
                }
            )
            for i in range(120)
        )
        + "\n"
    )
    (tmp_path / "vibeflow.yaml").write_text(
        "name: bot\nbase_model: Qwen/Qwen2.5-0.5B-Instruct\nmethod: lora\n"
        "data:\n  path: data.jsonl\ncompute:\n  target: cloud\n  gpu: L4\n"
        "budget:\n  max_cost_usd: 0.0001\n"
    )
    est = _cli("estimate", "--json", cwd=tmp_path)
    assert est.returncode == 0, est.stderr
    data = json.loads(est.stdout)
    assert data["workload"]["n_examples"] == 96 and data["request"]["n_eval_examples"] == 24
    assert any("max_cost_usd" in w for w in data["warnings"])
    assert any("characters / 4" in a for a in data["assumptions"])
    text = _cli("estimate", str(tmp_path / "vibeflow.yaml"), "--gpu", "cpu")
    assert text.returncode == 0 and "Memory:" in text.stdout and "$0" in text.stdout
    gpus = _cli("catalog", "gpus", "--json")
    assert gpus.returncode == 0 and {g["id"] for g in json.loads(gpus.stdout)} >= {"H100-80GB", "cpu"}
    assert "qwen2.5-72b" in _cli("catalog", "models").stdout


def test_cli_absurd_inputs_exit_2_with_a_fix(tmp_path: Path) -> None:
    for args in (
        ("recommend", "--task", "bot", "--examples", "0"),
        ("recommend", "--task", "bot", "--examples", "100", "--gpu", "Voodoo5"),
        ("recommend", "--task", "bot", "--examples", "100", "--budget", "0"),
        ("estimate",),
    ):
        result = _cli(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "fix:" in result.stderr and "Traceback" not in result.stderr


def test_agent_tools_are_plain_schemas_and_never_raise() -> None:
    text = json.dumps(TOOL_DECLARATIONS)
    assert "$ref" not in text and '"null"' not in text
    assert {t["name"] for t in TOOL_DECLARATIONS} == {
        "recommend_setup",
        "estimate_run",
        "list_models",
        "list_gpus",
    }
    ok = call_tool("estimate_run", {"n_examples": 100, "device": "T4", "base_model": "smollm2-360m"})
    assert ok["cost"]["chosen"]["provider"] == "modal"
    assert call_tool("recommend_setup", {"task": "", "n_examples": 5})["error"] == "InvalidRequestError"
    assert call_tool("estimate_run", {"n_examples": "many"})["error"] == "InvalidArguments"
    assert call_tool("nope")["error"] == "UnknownTool"
    assert len(call_tool("list_models")["models"]) >= 21


def _local_model_recipe(folder: Path, model: Path) -> Path:
    (folder / "data.jsonl").write_text(
        "\n".join(
            json.dumps({"instruction": f"Where is order {i}?", "output": "It ships today."})
            for i in range(50)
        )
        + "\n"
    )
    recipe = folder / "recipe.yaml"
    recipe.write_text(
        f"name: local-model\nbase_model: {model}\nmethod: lora\ndata:\n  path: data.jsonl\n"
        "compute:\n  target: cloud\n  gpu: L4\n"
    )
    return recipe


def test_cli_and_http_estimate_a_recipe_whose_base_model_is_a_local_folder(
    client: TestClient, tmp_path: Path
) -> None:
    model = write_model_dir(tmp_path / "models" / "support-ft")
    recipe = _local_model_recipe(tmp_path, model)
    est = _cli("estimate", str(recipe), "--json", cwd=tmp_path)
    assert est.returncode == 0, est.stderr
    data = json.loads(est.stdout)
    assert data["model"] == str(model) and data["memory"]["total_params"] == SMOLLM2_PARAMS
    assert data["cost"]["chosen"]["compute_usd"] > 0 and not any(
        "not in the catalog" in w for w in data["warnings"]
    )
    answer = client.post("/api/estimate", json={"recipe_path": str(recipe)})
    assert answer.status_code == 200 and answer.json()["memory"]["total_params"] == SMOLLM2_PARAMS

    empty = tmp_path / "models" / "empty"
    empty.mkdir()
    bad = _local_model_recipe(tmp_path, empty)
    refused = _cli("estimate", str(bad), cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "no config.json" in refused.stderr and "fix: point base_model at the folder" in refused.stderr
    error = client.post("/api/estimate", json={"recipe_path": str(bad)})
    assert error.status_code == 400 and error.json()["error"] == "ModelDirectoryError" and error.json()["fix"]
