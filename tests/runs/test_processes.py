"""Real processes: kill -9 of `vibeflow serve` mid-run, and the `vibeflow train` / `vibeflow runs` CLI."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
from tests.runs.conftest import recipe_text, run_cli, store_split

from vibeflow.runs.process import JOURNAL_NAME, pid_alive


def wait_http(client: httpx.Client, run_id: str, until, timeout: float = 60) -> dict:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        if until(run):
            return run
        time.sleep(0.1)
    raise AssertionError(f"timed out: {run}")


async def test_backend_kill9_loses_no_event(db, settings, serve, fake_trainer, tmp_path: Path) -> None:  # noqa: ANN001
    """The trainer outlives a kill -9 of the backend; the restarted backend stores every journaled event."""
    fake_trainer("slow", step_s=0.05)
    await store_split(db, settings)
    proc, url, token = serve()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        run = client.post(
            "/api/runs", json={"recipe": recipe_text(max_steps=60), "base_dir": str(tmp_path)}
        ).json()
        running = wait_http(client, run["id"], lambda r: (r["step"] or 0) >= 5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    trainer_pid = running["pid"]
    deadline = time.monotonic() + 60
    while pid_alive(trainer_pid) and time.monotonic() < deadline:  # it keeps training with no backend
        time.sleep(0.1)
    journal = [json.loads(line) for line in (Path(run["output_dir"]) / JOURNAL_NAME).read_text().splitlines()]
    assert journal[-1]["stage"] == "completed"

    _, url, token = serve()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        done = wait_http(client, run["id"], lambda r: r["status"] != "running", timeout=20)
        events = client.get(f"/api/runs/{run['id']}/events", params={"limit": 5000}).json()["events"]
        curve = client.get(f"/api/runs/{run['id']}/metrics", params={"names": "loss"}).json()
    assert done["status"] == "completed" and done["step"] == 60
    assert [e["source_seq"] for e in events if e["source"] == "trainer"] == [e["seq"] for e in journal]
    assert curve["series"]["loss"]["total"] == 60


async def test_cli_train_wait_and_runs_commands(db, settings, fake_trainer, tmp_path: Path) -> None:  # noqa: ANN001
    await store_split(db, settings)
    (tmp_path / "vibeflow.yaml").write_text(recipe_text())
    trained = run_cli("train", str(tmp_path), "--max-steps", "8")
    assert trained.returncode == 0, trained.stderr
    assert "Adapter:" in trained.stdout and "step 8/8" in trained.stderr and "▸ training" in trained.stderr
    runs = json.loads(run_cli("runs", "list", "--json").stdout)
    assert len(runs) == 1 and runs[0]["status"] == "completed" and runs[0]["step"] == 8
    run_id = runs[0]["id"]
    shown = json.loads(run_cli("runs", "show", run_id[:8], "--json").stdout)
    assert (
        shown["id"] == run_id
        and shown["recipe_path"].endswith("vibeflow.yaml")
        and shown["spec"]["max_steps"] == 8
    )
    human = run_cli("runs", "show", run_id).stdout
    assert "completed" in human and "adapter:" in human
    logs = run_cli("runs", "logs", run_id).stdout
    assert "noise line" in logs and "@@vibeflow@@" not in logs
    events = run_cli("runs", "logs", run_id, "--events", "--tail", "500").stdout
    assert "stage → completed" in events and "checkpoint at step 4" in events
    again = run_cli("runs", "resume", run_id)
    assert again.returncode == 2 and "retry" in again.stderr and "Traceback" not in again.stderr


async def test_cli_detach_stop_and_retry(db, settings, fake_trainer, tmp_path: Path) -> None:  # noqa: ANN001
    fake_trainer("slow", step_s=0.1)
    await store_split(db, settings)
    (tmp_path / "vibeflow.yaml").write_text(recipe_text(max_steps=300, checkpoint_every=1000))
    started = run_cli("train", str(tmp_path), "--detach", "--json")
    assert started.returncode == 0, started.stderr
    run = json.loads(started.stdout)
    assert run["status"] == "running" and pid_alive(run["pid"])
    time.sleep(0.8)
    stopped = run_cli("runs", "stop", run["id"], "--json")
    assert stopped.returncode == 0, stopped.stderr
    final = json.loads(stopped.stdout)
    assert final["status"] == "stopped" and final["checkpoint"]["step"] >= 1 and not pid_alive(run["pid"])
    plan = json.loads(
        run_cli(
            "runs", "retry", run["id"], "--dry-run", "--set", "training.learning_rate=1.0e-4", "--json"
        ).stdout
    )
    assert plan["effective_diff"] == [{"path": "training.learning_rate", "before": 2e-4, "after": 1e-4}]
    fake_trainer("ok", step_s=0.001)
    resumed = run_cli("runs", "resume", run["id"], "--json")
    assert resumed.returncode == 0, resumed.stderr
    body = json.loads(resumed.stdout)
    assert body["status"] == "completed" and body["attempts"] == 2 and body["step"] == 300


async def test_detached_train_is_handed_to_the_running_server(
    db,
    settings,
    serve,
    fake_trainer,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    await store_split(db, settings)
    (tmp_path / "vibeflow.yaml").write_text(recipe_text())
    proc, url, token = serve()
    started = run_cli("train", str(tmp_path), "--detach", "--json")
    assert started.returncode == 0, started.stderr
    run = json.loads(started.stdout)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        done = wait_http(client, run["id"], lambda r: r["status"] not in ("queued", "running"))
    assert done["status"] == "completed" and done["step"] == 12
    late = run_cli("runs", "stop", run["id"])
    assert late.returncode == 2 and "completed, not running" in late.stderr and "Traceback" not in late.stderr
