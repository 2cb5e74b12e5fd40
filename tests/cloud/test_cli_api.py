"""The user-facing commands without credentials: setup is idempotent, check explains, `train --cloud` explains
how to enable a cloud (and never hangs in "provisioning"); the HTTP routes answer the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from vibeflow.api.app import create_app

REPO = Path(__file__).resolve().parents[2]
TOKEN = "cloud-test-token"


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vibeflow", *args], capture_output=True, text=True, env=os.environ.copy(),
        timeout=timeout, check=False,
    )  # fmt: skip


def test_setup_is_idempotent_and_check_explains_how_to_enable_clouds(sky_home) -> None:  # noqa: ANN001
    setup = cli("cloud", "setup", "--json")
    assert setup.returncode == 0, setup.stderr
    assert json.loads(setup.stdout)["created"] is False and json.loads(setup.stdout)["skypilot"] == "0.14.1"
    check = cli("cloud", "check", "--clouds", "lambda,runpod,aws", "--json")
    assert check.returncode == 0, check.stderr
    out = json.loads(check.stdout)
    assert out["enabled"] == [] and "vibeflow cloud check" in out["hint"]
    reasons = {c["cloud"]: c["reason"] for c in out["clouds"]}
    assert set(reasons) == {"Lambda", "RunPod", "AWS"} and "lambda_keys" in reasons["Lambda"]


def test_train_cloud_without_credentials_fails_fast_with_the_fix(sky_home, tmp_path) -> None:  # noqa: ANN001
    init = cli(
        "init", "--data", str(REPO / "examples" / "support.csv"), "--name", "bot", "--dir", str(tmp_path)
    )
    assert init.returncode == 0, init.stderr
    recipe = tmp_path / "vibeflow.yaml"
    recipe.write_text(recipe.read_text().replace("  # gpu: A100-80GB", "  gpu: L4   #"))
    trained = cli("train", str(tmp_path), "--cloud", "--max-steps", "5", "--json")
    assert trained.returncode == 2, trained.stderr[-2000:]
    run = json.loads(trained.stdout)
    assert run["status"] == "failed" and run["error"]["type"] == "no_clouds"
    assert "vibeflow cloud check" in run["error"]["fix"]
    assert (Path(run["output_dir"]) / "sky-task.yaml").exists()  # written and validated before planning


async def test_http_routes(sky_home, settings) -> None:  # noqa: ANN001
    app = create_app(settings, TOKEN)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers=headers, timeout=300
        ) as http:
            status = (await http.get("/api/cloud/status")).json()
            assert status["installed"] is True and status["skypilot"] == "0.14.1"
            missing = await http.get("/api/cloud/runs/nope")
            assert missing.status_code == 404 and "vibeflow train --cloud" in missing.json()["fix"]
            assert (
                await http.get("/api/cloud/status", headers={"Authorization": "Bearer x"})
            ).status_code == 401


@pytest.mark.parametrize("args", [["cloud", "--help"], ["cloud", "plan", "--help"], ["train", "--help"]])
def test_help(args: list[str]) -> None:
    result = cli(*args, timeout=60)
    assert result.returncode == 0 and "usage" in result.stdout.lower()
    assert "--cloud" in result.stdout if args == ["train", "--help"] else True


def test_real_sky_check_output_is_parsed() -> None:
    """Recorded output of `sky check` (SkyPilot 0.14.1, no credentials) and the enabled-infra block its source
    (sky/check.py `_summary_message`) prints when clouds are enabled."""
    from vibeflow.cloud.check import parse_sky_check

    recorded = (Path(__file__).with_name("fixtures") / "sky_check_no_credentials.txt").read_text()
    assert "No infra to check/enabled" in recorded and parse_sky_check(recorded) == []
    enabled = (
        "\n\x1b[32m🎉 Enabled infra 🎉\x1b[0m\n  \x1b[32mAWS [compute, storage]\x1b[0m\n"
        "  \x1b[32mKubernetes [compute]\x1b[0m\n    Allowed contexts:\n    └── kind-skypilot\n"
        "  \x1b[32mRunPod [compute]\x1b[0m\n\nTo enable a cloud, follow the hints above and rerun: sky check\n"
    )
    assert parse_sky_check(enabled) == ["AWS", "Kubernetes", "RunPod"]


def test_deploy_help_offers_the_cloud() -> None:
    result = cli("deploy", "--help", timeout=60)
    assert result.returncode == 0 and "--cloud" in result.stdout and "--replicas" in result.stdout
