"""End-to-end tests in a real VS Code (code-server + Chromium): what a new user does with the example workspace.

Every number the UI shows is compared with the CLI's `--json` answer for the same input, never a constant.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from .conftest import CodeServer, Driver, copy_workspace


def _learning_rate(recipe: Path) -> float:
    return float(yaml.safe_load(recipe.read_text())["training"]["learning_rate"])


def test_learning_rate_quick_fix_edits_the_file(drive: Driver, workspace: Path) -> None:
    recipe = workspace / "vibeflow.yaml"
    original = recipe.read_text()
    assert _learning_rate(recipe) == 0.05  # the example's deliberately bad value

    seen = drive("recipeQuickFix", workspace)

    # The Problems panel showed the warning on the learning_rate line, from VibeFlow.
    lr_line = next(
        i for i, ln in enumerate(original.splitlines(), 1) if ln.strip().startswith("learning_rate:")
    )
    assert seen["line"] == lr_line, seen["diagnostic"]
    assert "vibeflow" in seen["diagnostic"].lower(), seen["diagnostic"]
    low, high = (
        float(x) for x in re.search(r"recommended ([\d.e+-]+)-([\d.e+-]+)", seen["diagnostic"]).groups()
    )
    # The quick fix offered the recommended value, and applying + saving wrote exactly that to disk.
    offered = next(t for t in seen["fixes"] if t.startswith("Set learning_rate to"))
    value = float(re.search(r"Set learning_rate to ([\d.e+-]+)", offered).group(1))
    assert low <= value <= high, (offered, low, high)
    assert _learning_rate(recipe) == value
    # Only that line changed: comments and the rest of the recipe are the user's, untouched.
    before, after = original.splitlines(), recipe.read_text().splitlines()
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b]
    assert changed == [lr_line]
    assert not any("far above the recommended" in p for p in seen["problemsAfter"]), seen["problemsAfter"]


def test_quality_report_webview_matches_cli(drive: Driver, workspace: Path) -> None:
    recipe = yaml.safe_load((workspace / "vibeflow.yaml").read_text())
    dataset = recipe["data"]["path"]

    seen = drive("qualityReport", workspace, dataset=dataset)
    cli = drive.server.cli("data", "report", str(workspace / dataset))

    assert seen["errorBanner"] is None, seen["errorBanner"]
    assert int(seen["rows"]) == cli["rows"]
    assert float(seen["score"]) == round(cli["score"], 1)
    assert int(seen["issueKinds"]) == len(cli["issues"])
    shown = {kind: int(count.replace(",", "")) for kind, count in seen["counts"].items()}
    assert shown == {i["kind"]: i["count"] for i in cli["issues"]}
    assert any(c > 0 for c in shown.values())  # the example has planted defects


def test_quality_report_of_a_file_that_is_not_a_dataset_shows_the_error(
    drive: Driver, workspace: Path
) -> None:
    (workspace / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    seen = drive("qualityReportError", workspace, dataset="photo.csv")
    cli = drive.server.cli("data", "report", str(workspace / "photo.csv"), check=False)
    assert "PNG image" in seen["errorBanner"] and cli["message"] in seen["errorBanner"], (seen, cli)
    assert cli["fix"] in seen["errorBanner"] and seen["loading"] == 0


def _run_losses(home: Path, monitor_header: str) -> dict[int, float]:
    """Loss per step from the run's own event journal (what the trainer wrote), for the run the monitor shows
    (its header names the run id)."""
    runs = [
        p for p in (home / "runs").iterdir() if p.name in monitor_header and (p / "events.jsonl").exists()
    ]
    assert len(runs) == 1, (monitor_header, sorted(p.name for p in (home / "runs").iterdir()))
    run = runs[0]
    losses = {}
    for line in (run / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event.get("type") == "metrics" and event.get("loss") is not None:
            losses[int(event["step"])] = float(event["loss"])
    return losses


# A 30-step CPU run: about 2 minutes on an idle 2-core machine, far longer when the cores are shared.
@pytest.mark.timeout(1500)
def test_training_run_monitor_shows_falling_loss(drive: Driver, workspace: Path) -> None:
    seen = drive(
        "trainingMonitor", workspace, timeout=1400, minPoints=12, waitForEnd=True, timeoutMs=1_300_000
    )

    assert seen["status"] == "completed", (seen["status"], seen["alerts"], seen["log"])
    assert seen["chartCanvases"] >= 1  # the loss chart is drawn
    points = [(int(s), float(v)) for s, v in seen["points"] if v is not None]
    assert len(points) >= 12
    # The curve is the run's real loss: every point equals the trainer's journaled value for that step.
    journal = _run_losses(drive.server.home, seen["header"])
    for step, value in points:
        assert abs(journal[step] - value) < 1e-6, (step, value, journal.get(step))
    # …and it falls: the mean of the last quarter is below the mean of the first quarter.
    q = max(1, len(points) // 4)
    first = sum(v for _, v in points[:q]) / q
    last = sum(v for _, v in points[-q:]) / q
    assert last < first, points
    assert seen["falling"] == "true"


def _money(value: float) -> str:
    """The card's money format (webviews/src/brainstorm/model.ts): cents below $10, whole dollars above."""
    return f"${value:.2f}" if value < 10 else f"${round(value)}"


def test_brainstorm_card_matches_estimate_of_written_recipe(drive: Driver, workspace: Path) -> None:
    ask = "I want a customer-support bot, 1K examples, accuracy matters, I have an A100"
    seen = drive("brainstorm", workspace, message=ask, answers=["Create vibeflow.yaml"])

    assert seen["mode"] and "offline" in seen["mode"].lower(), seen["mode"]  # no Gemini key in the tests
    recipe = workspace / "vibeflow.yaml"
    text = recipe.read_text()
    written = yaml.safe_load(text)
    # The recipe names the exact command that checks its numbers (the workload the agent assumed).
    check = re.search(r"^# Check the numbers: vibeflow (estimate .*)$", text, re.M)
    assert check, text[:800]
    args = check.group(1).split()
    estimate = drive.server.cli(*args, cwd=workspace)

    assert seen["title"].startswith(f"{estimate['model_name']} · "), (seen["title"], estimate["model_name"])
    assert written["method"].lower() in seen["title"].lower()
    chosen = estimate["cost"]["chosen"]
    if chosen["tier"] == "local":
        assert seen["cost"].startswith("free")
    else:
        assert seen["cost"].startswith(f"~{_money(chosen['compute_usd'])}"), (seen["cost"], chosen)
        assert f"{_money(chosen['low_usd'])}–{_money(chosen['high_usd'])}" in seen["cost"], (
            seen["cost"],
            chosen,
        )
    assert seen["time"] == estimate["time"]["human"]
    assert seen["memory"] == f"{estimate['memory']['total_gb']:.1f} GB"
    assert estimate["device"] in seen["hardware"]
    # The card's settings are the written recipe's hyperparameters.
    training = written["training"]
    assert f"lr {training['learning_rate']:.1e}".replace("e-0", "e-") in seen["settings"], seen["settings"]
    assert f"{training['num_epochs']} epochs" in seen["settings"]


@pytest.fixture(scope="session")
def completed_run(code_server: CodeServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A completed run in the extension's VIBEFLOW_HOME: the one the training test started from the IDE, or,
    when that test was deselected, one trained here with the CLI (8 steps) so later stages can be tested."""
    runs = [r for r in code_server.cli("runs", "list") if r["status"] == "completed"]
    if not runs:
        ws = tmp_path_factory.mktemp("cli-run") / "workspace"
        copy_workspace(ws)
        code_server.cli(
            "train", "--set", "training.learning_rate=5.0e-4", "--max-steps", "8", cwd=ws, timeout=1200
        )
        runs = [r for r in code_server.cli("runs", "list") if r["status"] == "completed"]
    assert runs, "no completed run to evaluate"
    return runs[0]


@pytest.mark.timeout(1500)
def test_evaluation_webview_matches_cli(drive: Driver, workspace: Path, completed_run: dict) -> None:
    run_id = completed_run["id"]
    seen = drive("evaluateRun", workspace, timeout=1400, runId=run_id, timeoutMs=1_300_000)

    assert seen["errorBanner"] is None, seen["errorBanner"]
    assert seen["status"] == "completed", seen
    stored = drive.server.cli("eval", "show", run_id)
    assert int(seen["base"]) == round(stored["overall_base"]), (seen, stored.get("overall_base"))
    assert int(seen["tuned"]) == round(stored["overall_tuned"]), (seen, stored.get("overall_tuned"))
    assert seen["metrics"], "the metric table is empty"


@pytest.mark.timeout(900)
def test_deployment_webview_answers_through_the_gateway(
    drive: Driver, workspace: Path, completed_run: dict
) -> None:
    run_id = completed_run["id"]
    seen = drive(
        "deployRun",
        workspace,
        timeout=800,
        runId=run_id,
        engine="cpu",
        prompt="Where is my order?",
        home=str(drive.server.home),
    )

    assert seen["errorBanner"] is None, seen["errorBanner"]
    assert seen["status"] == "live", seen
    # What the backend's API (the one `vibeflow deployments list` calls) said while the window was open: the
    # backend is the window's language server, so it stops when the scenario closes the browser.
    listed = {d["name"]: d for d in seen["listed"]}
    assert seen["name"] in listed, (seen["name"], list(listed))
    assert listed[seen["name"]]["status"] == "live"
    assert seen["endpoint"] and seen["endpoint"].startswith("http://127.0.0.1:"), seen["endpoint"]
    assert seen["answer"], "the test box showed no answer"
