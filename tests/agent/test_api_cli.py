"""The HTTP contract the VS Code extension codes against (a real `vibeflow serve`) and `vibeflow brainstorm`."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from tests.agent.conftest import run_cli
from tests.support.gemini_stub import GeminiStub

REPLY_KEYS = {
    "conversation_id",
    "reply",
    "suggested_replies",
    "recommendation",
    "estimate",
    "comparison",
    "mode",
    "notice",
}


@pytest.mark.usefixtures("offline")
def test_agent_routes_offline(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/agent/messages", "/api/agent/conversation", "/api/agent/recipe", "/api/agent/pick"} <= set(
        paths
    )
    assert httpx.post(f"{client.base_url}/api/agent/messages", json={"message": "hi"}).status_code == 401

    asked = client.post(
        "/api/agent/messages",
        json={"project": "default", "message": "a support bot", "dataset_version": None},
    )
    assert asked.status_code == 200 and set(asked.json()) == REPLY_KEYS
    assert asked.json()["mode"] == "offline" and asked.json()["recommendation"] is None

    no_recipe = client.post("/api/agent/recipe", json={"project": "default"})
    assert (
        no_recipe.status_code == 400
        and "no recommendation" in no_recipe.json()["message"]
        and no_recipe.json()["fix"]
    )

    picked = client.post("/api/agent/pick", json={"project": "default"}).json()
    assert set(picked) == REPLY_KEYS and picked["recommendation"]["estimate"] == picked["estimate"]

    recipe = client.post("/api/agent/recipe", json={"project": "default"}).json()
    assert recipe["estimate"] == picked["estimate"] and recipe["yaml"].count("base_model:") == 1

    history = client.get("/api/agent/conversation", params={"project": "default"}).json()
    assert history["conversation_id"] == asked.json()["conversation_id"]
    assert [m["role"] for m in history["messages"]] == ["user", "assistant", "user", "assistant"]
    assert history["messages"][3]["recommendation"] == picked["recommendation"]
    assert all(m["created_at"] for m in history["messages"])

    assert client.delete("/api/agent/conversation", params={"project": "default"}).status_code == 200
    assert client.get("/api/agent/conversation", params={"project": "default"}).json()["messages"] == []
    too_long = client.post("/api/agent/messages", json={"message": "x" * 9000})
    assert too_long.status_code == 400 and "too long" in too_long.json()["message"]


def test_agent_route_with_gemini(
    stub: GeminiStub, client: httpx.Client
) -> None:  # stub first: its env reaches the server
    stub.reply_function_call(
        "recommend_setup", {"task": "support bot", "n_examples": 1000, "priority": "cost", "gpu": "L4"}
    )
    stub.reply_text("A small model with LoRA on an L4 is enough.")
    answer = client.post(
        "/api/agent/messages", json={"message": "support bot, 1000 examples, cheap, L4"}
    ).json()
    assert answer["mode"] == "gemini" and answer["reply"] == "A small model with LoRA on an L4 is enough."
    assert answer["recommendation"]["device"] == "L4"
    assert stub.requests[-1].function_responses()[0]["name"] == "recommend_setup"


@pytest.mark.usefixtures("offline")
def test_brainstorm_cli(tmp_path: Path) -> None:
    target = tmp_path / "vibeflow.yaml"
    result = run_cli(
        "brainstorm",
        "-m",
        "customer support bot, 800 examples, accuracy, L40S",
        "--write-recipe",
        str(target),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    turn = out["turns"][-1]
    assert turn["mode"] == "offline" and out["recipe"]["path"] == str(target) and target.is_file()
    again = run_cli("brainstorm", "--write-recipe", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr and "--force" in again.stderr

    estimated = run_cli(
        "estimate", str(target), "--examples", "800", "--tokens-in", "150", "--tokens-out", "150", "--json"
    )
    assert json.loads(estimated.stdout)["cost"]["chosen"] == turn["estimate"]["cost"]["chosen"]

    piped = run_cli("brainstorm", "--project", "piped", stdin="an SQL assistant\n5000 examples\n")
    assert piped.returncode == 0 and "What matters most" in piped.stdout and "Offline mode" in piped.stderr
    human = run_cli("brainstorm", "--project", "piped", "--pick")
    assert "I recommend" in human.stdout and "Why these settings?" in human.stdout
