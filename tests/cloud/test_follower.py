"""The cloud follower inside a real RunManager and store, driven by RECORDED `sky jobs logs` output.

Only the cloud is replaced (the driver replays what SkyPilot printed for a real preempted run); task
generation, SkyPilot validation and the optimizer plan run for real in the SkyPilot venv (offline catalog).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.runs.conftest import recipe_text, store_split, wait_for

from vibeflow.cloud import follower
from vibeflow.recipe.loader import parse_recipe
from vibeflow.runs.manager import RunManager
from vibeflow.runs.service import RunService
from vibeflow.store.models_cloud import CloudJob
from vibeflow.store.models_runs import RunEvent, RunMetric

FIXTURE = Path(__file__).with_name("fixtures") / "managed_job_preempted.log"
LINES = [line + "\n" for line in FIXTURE.read_text().splitlines()]


class Replay:
    """SkyDriver that replays recorded streams; `hold` blocks the stream until `cancel` (like a live job)."""

    def __init__(
        self,
        streams: list[list[str]],
        final: str = "SUCCEEDED",
        hold: int | None = None,
        journal: list[str] | None = None,
    ) -> None:
        self.streams, self.final, self.hold, self.bucket = streams, final, hold, journal
        self.journal_reads = 0
        self.cancelled: list[int] = []
        self.launched: list[tuple] = []
        self.cancel_event = threading.Event()

    def launch(self, task_path: Path, name: str, secrets: list[str]) -> int:
        self.launched.append((task_path, name, secrets))
        return 7

    def logs(self, job_id: int):  # noqa: ANN201
        lines = self.streams.pop(0) if self.streams else []
        for index, line in enumerate(lines):
            if self.hold is not None and index == self.hold:
                self.cancel_event.wait(60)
                yield "└── Managed job 7 finished (status: CANCELLED).\n"
                return
            yield line

    def status(self, job_id: int) -> dict:
        return {"status": "RUNNING" if self.streams else self.final}

    def cancel(self, job_id: int) -> None:
        self.cancelled.append(job_id)
        self.cancel_event.set()

    def journal(self, run_id: str) -> str | None:
        self.journal_reads += 1
        return None if self.bucket is None else "\n".join(self.bucket) + "\n"


@pytest.fixture
def cloud(sky_home, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("VIBEFLOW_SKY_OFFLINE_CLOUDS", "lambda,runpod")
    monkeypatch.setenv("VIBEFLOW_CLOUD_DOWNLOAD_TIMEOUT_S", "5")  # no cloud storage is reachable here

    def use(driver: Replay) -> Replay:
        monkeypatch.setattr(follower, "DRIVER", lambda: driver)
        return driver

    return use


async def create_run(db, settings, tmp_path, spend_limit: float | None = None) -> str:  # noqa: ANN001
    """A queued cloud run (8 steps, spot A100-80GB) on a stored split."""
    await store_split(db, settings)
    text = recipe_text(max_steps=8) + "compute:\n  target: cloud\n  gpu: A100-80GB\n  spot: true\n"
    async with db.session() as session:
        run = await RunService(session, settings).create(parse_recipe(text), base_dir=tmp_path)
        if spend_limit is not None:  # a limit below what the run then really costs (the estimate was low)
            run.recipe = {**run.recipe, "budget": {"max_cost_usd": spend_limit}}
            await session.commit()
        return run.id


async def start_run(db, settings, tmp_path, spend_limit: float | None = None):  # noqa: ANN001, ANN201
    run_id = await create_run(db, settings, tmp_path, spend_limit)
    manager = RunManager(db, settings, poll_s=0.05, watchdog_s=0.5)
    await manager.start()
    await manager.submit(run_id)
    return manager, run_id


async def run_to_end(db, settings, tmp_path, timeout: float = 240):  # noqa: ANN001, ANN201
    manager, run_id = await start_run(db, settings, tmp_path)
    try:
        return await wait_for(db, run_id, timeout=timeout)
    finally:
        await manager.close()


async def loss_curve(session, run_id: str) -> dict[int, float]:  # noqa: ANN001
    query = select(RunMetric.step, RunMetric.value).where(
        RunMetric.run_id == run_id, RunMetric.name == "loss"
    )
    return dict((await session.execute(query)).all())


async def test_spot_run_recovers_reconnects_costs_and_completes(db, settings, tmp_path, cloud) -> None:  # noqa: ANN001
    driver = cloud(Replay([LINES[:40], LINES]))  # the stream breaks once; `sky jobs logs` then starts over
    run = await run_to_end(db, settings, tmp_path)
    run_id = run.id
    assert run.status == "completed", run.error
    assert (Path(run.output_dir) / "sky-task.yaml").exists() and driver.launched[0][1] == f"vibeflow-{run_id}"
    async with db.session() as session:
        job = await session.get(CloudJob, run_id)
        notes = [e.payload for e in await session.scalars(select(RunEvent).where(RunEvent.run_id == run_id))]
        curve = await loss_curve(session, run_id)
    assert (job.job_id, job.cloud, job.instance_type, job.usd_per_hour) == (
        7,
        "RunPod",
        "1x_A100-80GB_SECURE",
        1.39,
    )
    assert job.interruptions == 1 and job.to_dict()["summary"] == "interrupted 1×, resumed"
    assert len(job.segments) == 2 and job.cost_usd == pytest.approx(sum(s["usd"] for s in job.segments))
    assert job.cost_usd > 0 and job.status == "SUCCEEDED"
    kinds = [n.get("kind") for n in notes]
    assert kinds.count("preempted") == 1 and kinds.count("recovered") == 1 and "reconnect" in kinds
    download = next(n for n in notes if n.get("kind") == "download")
    assert download["ok"] is False and "s3 sync" in download["fix"]  # no bucket reachable: the exact command
    assert sorted(curve) == list(range(1, 9)) and curve[4] == pytest.approx(8.64484691619873)


async def test_stop_maps_to_sky_jobs_cancel(db, settings, tmp_path, cloud) -> None:  # noqa: ANN001
    first_metrics = next(i for i, line in enumerate(LINES) if '"type":"metrics"' in line)
    driver = cloud(Replay([LINES], final="CANCELLED", hold=first_metrics + 1))  # the job runs until cancelled
    manager, run_id = await start_run(db, settings, tmp_path)
    try:
        await wait_for(db, run_id, statuses=("running",), timeout=120, predicate=lambda r: r.step is not None)
        await manager.stop(run_id)
        run = await wait_for(db, run_id, timeout=60)
    finally:
        await manager.close()
    assert driver.cancelled == [7] and run.status == "stopped"


async def test_budget_exceeded_cancels_the_job_with_a_classified_fault(db, settings, tmp_path, cloud) -> None:  # noqa: ANN001
    driver = cloud(Replay([LINES]))
    manager, run_id = await start_run(db, settings, tmp_path, spend_limit=0.001)
    try:
        run = await wait_for(db, run_id, timeout=120)
    finally:
        await manager.close()
    assert run.status == "failed" and run.error["type"] == "budget_exceeded" and driver.cancelled == [7]
    assert "max_cost_usd" in run.error["fix"]


async def test_events_the_log_lost_come_back_from_the_bucket_journal(db, settings, tmp_path, cloud) -> None:  # noqa: ANN001
    from tests.cloud.recording import bucket_journal

    events = [i for i, line in enumerate(LINES) if "@@vibeflow@@" in line]
    lost_early = set(events[4:7])  # lost before the stream breaks: filled at the reconnect
    lost_late = set(events[-5:-2])  # SkyPilot never replays them: filled when the job is over
    first = [line for i, line in enumerate(LINES[: events[8] + 1]) if i not in lost_early]
    second = [line for i, line in enumerate(LINES) if i not in lost_early | lost_late]
    driver = cloud(Replay([first, second], journal=bucket_journal(LINES)))
    run = await run_to_end(db, settings, tmp_path)
    run_id = run.id
    assert run.status == "completed", run.error
    async with db.session() as session:
        rows = list(await session.scalars(select(RunEvent).where(RunEvent.run_id == run_id)))
        curve = await loss_curve(session, run_id)
    trainer = [r for r in rows if r.source == "trainer"]
    resyncs = [r.payload for r in rows if r.payload.get("kind") == "journal_resync"]
    assert [r["events"] for r in resyncs] == [len(lost_early), len(lost_late)] and driver.journal_reads == 2
    assert len(trainer) == len(events) == len({r.source_seq for r in trainer})  # every event, each once
    assert sorted(curve) == list(range(1, 9)) and curve[4] == pytest.approx(8.64484691619873)


async def test_foreground_progress_shows_the_clouds_side(db, settings, tmp_path, cloud, capsys) -> None:  # noqa: ANN001
    """What `vibeflow train --cloud` prints while it waits: provisioning, the preemption and recovery, steps."""
    from vibeflow.cli.runs_exec import follow_run

    cloud(Replay([LINES[:40], LINES]))
    run_id = await create_run(db, settings, tmp_path)
    detail = await follow_run(db, settings, run_id, wait=True, show=True)
    err = capsys.readouterr().err
    assert detail["status"] == "completed"
    assert "▸ launching a managed job: RunPod 1x_A100-80GB_SECURE $1.39/h" in err
    assert "☁ waiting for a GPU node" in err and "☁ the node was preempted or failed (interruption 1)" in err
    assert "☁ interrupted 1×, resumed" in err and "☁ log stream ended; reconnecting in 1 s" in err
    assert "step 8/8" in err
