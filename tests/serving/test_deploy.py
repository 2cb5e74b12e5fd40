"""Deploying: the train↔serve consistency check refuses a mismatching chat template with an explanation, the
download package holds what a user needs (and merged weights on request), and the CLI prints the endpoint,
a key and snippets; the printed snippet works with the official openai client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openai
from tests.serving.conftest import Stack

from vibeflow_trainer.templates import DEFAULT_CHAT_TEMPLATE


def cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIBEFLOW_HOME": str(stack.home)}
    return subprocess.run([sys.executable, "-m", "vibeflow", *args], capture_output=True, text=True, env=env)


def test_consistency_mismatch_is_refused(stack: Stack) -> None:
    answer = stack.api.post(
        "/api/deployments",
        json={
            "run": stack.runs["a"],
            "engine": "cpu",
            "name": "wrong-template",
            "chat_template": DEFAULT_CHAT_TEMPLATE,
        },
    )
    assert answer.status_code == 409, answer.text
    error = answer.json()
    assert error["error"] == "ConsistencyError" and "differs from training at token" in error["message"]
    assert "chat template" in error["fix"]
    verdict = error["details"]["consistency"]
    assert verdict["ok"] is False and not any(c["match"] for c in verdict["conversations"])
    dep = stack.api.get("/api/deployments/wrong-template").json()
    assert dep["status"] == "refused" and "differs from training" in dep["message"]
    assert "refused" in [
        e["kind"] for e in stack.api.get("/api/deployments/wrong-template/versions").json()["history"]
    ]


def test_package_contents(stack: Stack) -> None:
    answer = stack.api.post("/api/deployments/support-bot/package", json={"version": 1, "merged": True})
    assert answer.status_code == 200, answer.text
    package = answer.json()
    folder = Path(package["directory"])
    for name in (
        "adapter_model.safetensors",
        "adapter_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "chat_template.jinja",
        "generation_config.json",
        "inference_example.py",
        "requirements.txt",
        "README.md",
        "merged/model.safetensors",
        "merged/config.json",
    ):
        assert (folder / name).is_file(), name
    assert (folder / "chat_template.jinja").read_text() == (
        stack.adapters["a"] / "chat_template.jinja"
    ).read_text()
    assert "peft" in (folder / "requirements.txt").read_text()
    assert "Demo base" in (folder / "README.md").read_text()
    with zipfile.ZipFile(package["zip"]) as archive:
        assert f"{folder.name}/inference_example.py" in archive.namelist()
    compile((folder / "inference_example.py").read_text(), "inference_example.py", "exec")


def test_cli_deploy_prints_key_and_snippets(stack: Stack) -> None:
    result = cli(
        stack, "deploy", stack.runs["b"], "--engine", "cpu", "--name", "cli-bot", "--threads", "1", "--json"
    )
    assert result.returncode == 0, result.stderr
    dep = json.loads(result.stdout)
    assert dep["status"] == "live" and dep["api_key"]["key"] in dep["snippets"]["python"]
    namespace: dict = {}
    snippet = dep["snippets"]["python"].replace('"Hello!"', '"Hi"')
    exec(snippet.replace("print(", "result = ("), namespace)  # the printed snippet, run as is
    assert isinstance(namespace["result"], str)
    listed = cli(stack, "deployments", "list")
    assert listed.returncode == 0 and "cli-bot" in listed.stdout and "support-bot" in listed.stdout
    keys = cli(stack, "deployments", "keys", "list", "--deployment", "cli-bot", "--json")
    assert dep["api_key"]["key"] not in keys.stdout and json.loads(keys.stdout)
    usage = cli(stack, "deployments", "usage", "cli-bot")
    assert usage.returncode == 0 and "total" in usage.stdout
    stopped = cli(stack, "deployments", "stop", "cli-bot")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    oa = openai.OpenAI(base_url=dep["endpoint"], api_key=dep["api_key"]["key"], max_retries=0)
    assert [m.id for m in oa.models.list().data]  # key still valid; the deployment is just stopped
    missing = cli(stack, "deployments", "show", "nope")
    assert missing.returncode == 2 and "no deployment" in missing.stderr
