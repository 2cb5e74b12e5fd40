"""Launches a run as a SkyPilot managed job and follows it into the run store, like a local trainer.

Spot and on-demand both run as managed jobs (`sky jobs launch`): SkyPilot relaunches a preempted or failed
node and the trainer resumes from the checkpoint in the mounted bucket. The follower tails `sky jobs logs`,
ingests our event lines (the trainer's `seq` keeps them exactly-once across reconnects and recoveries),
records interruptions and billed segments, maps stop to `sky jobs cancel`, reconnects with backoff, and
finishes the run from the job's final status. Nothing stays "provisioning": a job that never starts within
`VIBEFLOW_CLOUD_START_TIMEOUT_S` is cancelled with a `no_capacity` fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any, Protocol

from vibeflow.cloud.errors import CloudError
from vibeflow.cloud.faults import budget_fault, classify
from vibeflow.cloud.logs import ManagedJobLog, cost_of
from vibeflow.runs.events import parse_event
from vibeflow.runs.ingest import add_backend_event, lock_run
from vibeflow.store.models_cloud import CloudJob
from vibeflow.store.models_runs import Run

JOB_ID = re.compile(r"(?:Managed job ID|Job ID|ID):\s*(\d+)", re.I)
TERMINAL = {"SUCCEEDED": 0, "FAILED": 1, "FAILED_SETUP": 1, "FAILED_PRECHECKS": 1, "FAILED_NO_RESOURCE": 1,
            "FAILED_CONTROLLER": 1, "CANCELLED": 143}  # fmt: skip
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
STOP_POLL_S = 1.0


class SkyDriver(Protocol):
    """The SkyPilot calls the follower needs (the real one runs the `sky` CLI; tests replay recorded output)."""

    def launch(self, task_path: Path, name: str, secrets: list[str]) -> int: ...
    def logs(
        self, job_id: int
    ) -> Any: ...  # an iterator of lines; ends when the stream breaks or the job ends
    def status(self, job_id: int) -> dict[str, Any] | None: ...
    def cancel(self, job_id: int) -> None: ...
    def journal(self, run_id: str) -> str | None: ...  # events.jsonl from the run's bucket, if readable


class CliDriver:
    """`sky jobs launch/logs/queue/cancel` in the SkyPilot venv."""

    def launch(self, task_path: Path, name: str, secrets: list[str]) -> int:
        from vibeflow.cloud.skycli import run_sky

        args = ["jobs", "launch", "-y", "-d", "-n", name, str(task_path)]
        for secret in secrets:
            args += ["--secret", secret]
        result = run_sky(args, timeout=1800)
        text = result.stdout + result.stderr
        found = JOB_ID.findall(text)
        if result.returncode != 0 or not found:
            fault = classify(text)
            raise CloudError(
                fault["message"], fix=fault["fix"], kind=fault["fault"], details={"detail": fault["detail"]}
            )
        return int(found[-1])

    def logs(self, job_id: int) -> Any:
        from vibeflow.cloud.skycli import popen_sky

        process = popen_sky(["jobs", "logs", str(job_id)])
        self.process = process
        assert process.stdout is not None
        yield from process.stdout
        process.wait()

    def stop_logs(self) -> None:
        """End a `sky jobs logs` we started (the backend is closing; the job itself keeps running)."""
        process = getattr(self, "process", None)
        if process is not None and process.poll() is None:
            process.terminate()

    def status(self, job_id: int) -> dict[str, Any] | None:
        from vibeflow.cloud.skycli import run_sky

        result = run_sky(["jobs", "queue", "-o", "json", "--all"], timeout=120)
        try:
            rows = json.loads(result.stdout)
        except ValueError:
            return None
        for row in rows if isinstance(rows, list) else rows.get("jobs", []):
            if int(row.get("job_id", -1)) == job_id:
                return row
        return None

    def cancel(self, job_id: int) -> None:
        from vibeflow.cloud.skycli import run_sky

        run_sky(["jobs", "cancel", "-y", str(job_id)], timeout=300)

    def journal(self, run_id: str) -> str | None:
        from vibeflow.cloud.download import read_journal

        return read_journal(run_id)


DRIVER: Any = CliDriver  # tests replace it with a driver that replays recorded SkyPilot output


def start_timeout_s() -> float:
    return float(os.environ.get("VIBEFLOW_CLOUD_START_TIMEOUT_S", "3600"))


class CloudFollower:
    """Follows one cloud run for a RunManager (uses its ingestor, bus and finaliser)."""

    def __init__(self, manager: Any, run_id: str, driver: SkyDriver | None = None) -> None:
        self.manager = manager
        self.run_id = run_id
        self.driver = driver or DRIVER()
        self.parser = ManagedJobLog()
        self.job_id: int | None = None
        self.cancel_sent = False
        self.history: list[str] = []  # lines handled so far: a reconnected stream replays them first

    async def note(self, payload: dict[str, Any], type_: str = "cloud") -> None:
        async with self.manager.db.session() as session:
            run = await lock_run(session, self.run_id)
            row = add_backend_event(session, run, type_, payload)
            await session.commit()
            self.manager._publish_event(row)

    async def update_job(self, **values: Any) -> CloudJob:
        async with self.manager.db.session() as session:
            job = await session.get(CloudJob, self.run_id)
            for key, value in values.items():
                setattr(job, key, value)
            await session.commit()
            return job

    async def prepare(self) -> tuple[Path, dict[str, Any]]:
        """Write and validate the task, plan it, check the budget; record the job row. Raises CloudError."""
        from vibeflow.cloud.plan import plan
        from vibeflow.cloud.task import task_for_run
        from vibeflow.recipe.model import Recipe

        async with self.manager.db.session() as session:
            run = await lock_run(session, self.run_id)
            recipe, spec, out = run.recipe, run.spec, Path(run.output_dir)
            base = Path(run.recipe_path).parent if run.recipe_path else Path.cwd()
        task_path = await asyncio.to_thread(task_for_run, out, self.run_id, spec, recipe)
        # SkyPilot validates the whole task and its optimizer plans it (one process)
        planned = await asyncio.to_thread(plan, Recipe.model_validate(recipe), base, validate_yaml=task_path)
        if not planned.get("ok"):
            fault = planned["fault"]
            raise CloudError(fault["message"], fix=fault["fix"], kind=fault["fault"], details=planned)
        limit = (recipe.get("budget") or {}).get("max_cost_usd")
        total = planned.get("estimated_total_usd")
        if limit and total and total > limit:
            fault = budget_fault(total, limit)
            raise CloudError(
                f"the plan's estimate ${total:,.2f} exceeds budget.max_cost_usd ${limit:,.2f}",
                fix=fault["fix"],
                kind="budget_exceeded",
            )
        chosen = planned["chosen"]
        async with self.manager.db.session() as session:
            job = await session.get(CloudJob, self.run_id) or CloudJob(run_id=self.run_id)
            job.mode, job.job_name, job.task_path, job.status = (
                "managed",
                f"vibeflow-{self.run_id}",
                str(task_path),
                "PENDING",
            )
            job.cloud, job.region, job.instance_type = (
                chosen["cloud"],
                chosen["region"],
                chosen["instance_type"],
            )
            job.usd_per_hour, job.interruptions, job.segments, job.cost_usd = (
                chosen["usd_per_hour"],
                0,
                [],
                0.0,
            )
            session.add(job)
            await session.commit()
        return task_path, planned

    async def run(self) -> None:
        """Prepare, launch, follow to the end; every failure ends the run as failed with a classified fault."""
        try:
            task_path, planned = await self.prepare()
            await self.note({"status": "provisioning", "message": "launching a managed job: "
                             f"{planned['chosen']['cloud']} {planned['chosen']['instance_type']} "
                             f"${planned['usd_per_hour']:.2f}/h"}, "status")  # fmt: skip
            secrets = [s for s in ("HF_TOKEN",) if os.environ.get(s)]
            self.job_id = await asyncio.to_thread(
                self.driver.launch, task_path, f"vibeflow-{self.run_id}", secrets
            )
            await self._mark_running()
            await self.manager.ingestor.start_alerts(self.run_id)
            exit_code = await self.follow()
        except CloudError as error:
            await self._fail({"fault": error.kind, "message": error.message, "fix": error.fix})
            return
        await self._finish(exit_code)

    async def reattach(self) -> None:
        """Follow a cloud run whose previous follower (another backend process) is gone."""
        async with self.manager.db.session() as session:
            job = await session.get(CloudJob, self.run_id)
            run = await lock_run(session, self.run_id)
            if run is not None:
                run.owner_pid = self.manager.pid
            await session.commit()
        if job is None or job.job_id is None:
            await self._fail({"fault": "launch", "message": "the backend stopped before the job was submitted",
                              "fix": f"resume it: vibeflow runs resume {self.run_id}"})  # fmt: skip
            return
        self.job_id = job.job_id
        await self.note({"kind": "reconnect", "message": f"following managed job {job.job_id} again"})
        try:
            exit_code = await self.follow()
        except CloudError as error:
            await self._fail({"fault": error.kind, "message": error.message, "fix": error.fix})
            return
        await self._finish(exit_code)

    async def _mark_running(self) -> None:
        from vibeflow.store.models import utcnow

        await self.update_job(job_id=self.job_id, status="STARTING")
        async with self.manager.db.session() as session:
            run = await lock_run(session, self.run_id)
            run.status, run.owner_pid, run.pid = "running", self.manager.pid, None
            run.attempts += 1
            run.started_at = run.started_at or utcnow()
            row = add_backend_event(session, run, "status", {"status": "running", "job_id": self.job_id,
                                    "message": f"managed job {self.job_id} submitted"})  # fmt: skip
            await session.commit()
            self.manager._publish_status(run, row)

    async def follow(self) -> int:
        """Tail the logs until the job is terminal; reconnect with backoff. Returns a trainer-like exit code."""
        assert self.job_id is not None
        attempt, started = 0, time.monotonic()
        while True:
            await self._check_stop()
            got_lines = await self._drain()
            if self.parser.state.finished in TERMINAL:
                return TERMINAL[self.parser.state.finished]
            status = await asyncio.to_thread(self.driver.status, self.job_id)
            state = (status or {}).get("status")
            if state in TERMINAL:
                return TERMINAL[state]
            await self.resync_journal(final=False)  # the stream broke: fill what it lost from the bucket
            if not self.parser.state.segments and time.monotonic() - started > start_timeout_s():
                await asyncio.to_thread(self.driver.cancel, self.job_id)
                raise CloudError("the job did not start: no GPU node could be provisioned in time",
                                 fix="retry later, allow more clouds/regions, or switch spot ↔ on-demand "
                                 "(`vibeflow cloud plan` lists alternatives)", kind="no_capacity")  # fmt: skip
            delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
            attempt = 0 if got_lines else attempt + 1
            await self.note({"kind": "reconnect", "message": f"log stream ended; reconnecting in {delay:.0f} s",
                             "attempt": attempt})  # fmt: skip
            if await self.manager._pause(delay):
                raise asyncio.CancelledError

    async def _drain(self) -> bool:
        """Read the log stream to its end (in a thread), ingesting as lines arrive. True when lines came."""
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def pump() -> None:
            try:
                for line in self.driver.logs(self.job_id):
                    loop.call_soon_threadsafe(queue.put_nowait, line)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, None)

        reader = asyncio.create_task(asyncio.to_thread(pump))
        got, replay = False, 0
        while True:
            try:
                line = await asyncio.wait_for(queue.get(), STOP_POLL_S)
            except TimeoutError:
                await self._check_stop()
                continue
            except asyncio.CancelledError:
                getattr(self.driver, "stop_logs", lambda: None)()
                raise
            if line is None:
                break
            if replay is not None and replay < len(self.history) and self.history[replay] == line:
                replay += 1  # `sky jobs logs` starts from the beginning again: skip what was handled
                continue
            replay = None
            got = True
            self.history.append(line)
            await self._handle(line)
        await reader
        return got

    async def resync_journal(self, final: bool) -> int:
        """Ingest the events the bucket's events.jsonl holds that the log stream lost; returns how many."""
        reader = getattr(self.driver, "journal", None)
        text = await asyncio.to_thread(reader, self.run_id) if reader is not None else None
        if not text:
            return 0
        journal = [event for line in text.splitlines() if (event := parse_event(line)) is not None]
        missing = self.parser.journal_gaps(journal, final=final)
        if not missing:
            return 0
        new = await self.manager.ingestor.ingest(self.run_id, missing)
        await self.note({"kind": "journal_resync", "events": new,
                         "message": f"{new} event(s) the log stream lost were read from the bucket's events.jsonl"})  # fmt: skip
        return new

    async def _check_stop(self) -> None:
        """Stop maps to `sky jobs cancel` (sent once); the stream then ends with status CANCELLED."""
        if not self.cancel_sent and self.job_id is not None and await self._stop_requested():
            self.cancel_sent = True
            await asyncio.to_thread(self.driver.cancel, self.job_id)
            await self.note(
                {"kind": "cancel", "message": f"stop requested: cancelling managed job {self.job_id}"}
            )

    async def _handle(self, line: str) -> None:
        events = []
        for kind, item in self.parser.feed(line, time.time()):
            if kind == "event":
                events.append(item)
            else:
                await self._cloud_note(item)
        if events:
            await self.manager.ingestor.ingest(self.run_id, events)
            await self._cost()

    async def _cloud_note(self, item: dict[str, Any]) -> None:
        if item["kind"] in ("preempted", "recovered"):
            await self.update_job(interruptions=self.parser.state.interruptions,
                                  status="RECOVERING" if item["kind"] == "preempted" else "RUNNING")  # fmt: skip
        if item["kind"] == "fault":
            await self.update_job(fault=item)
        if item["kind"] != "finished":
            await self.note(item)

    async def _cost(self) -> None:
        async with self.manager.db.session() as session:
            job = await session.get(CloudJob, self.run_id)
            cost = cost_of(self.parser.state.segments, job.usd_per_hour or 0.0)
            job.segments, job.cost_usd = cost["segments"], cost["usd"]
            run = await lock_run(session, self.run_id)
            await session.commit()
            limit = (run.recipe.get("budget") or {}).get("max_cost_usd")
        if limit and cost["usd"] > limit and self.job_id is not None:
            await asyncio.to_thread(self.driver.cancel, self.job_id)
            await self.update_job(fault=budget_fault(cost["usd"], limit))
            raise CloudError(budget_fault(cost["usd"], limit)["message"], fix=budget_fault(0, limit)["fix"],
                             kind="budget_exceeded")  # fmt: skip

    async def _stop_requested(self) -> bool:
        async with self.manager.db.session() as session:
            run = await lock_run(session, self.run_id)
            return bool(run and run.stop_requested)

    async def _fail(self, fault: dict[str, Any]) -> None:
        async with self.manager.db.session() as session:
            if await session.get(CloudJob, self.run_id) is not None:
                job = await session.get(CloudJob, self.run_id)
                job.fault, job.status = fault, "FAILED"
            run = await lock_run(session, self.run_id)
            run.error = {"type": fault["fault"], "message": fault["message"], "fix": fault["fix"]}
            if run.status == "queued":
                run.status = "running"  # _finalize only finishes active runs
            await session.commit()
        await self.manager._finalize(self.run_id, 1)

    async def _finish(self, exit_code: int) -> None:
        await self.resync_journal(final=True)
        await self._cost_quiet()
        state = self.parser.state.finished or ("SUCCEEDED" if exit_code == 0 else "FAILED")
        await self.update_job(status=state, interruptions=self.parser.state.interruptions)
        if exit_code == 0:
            from vibeflow.cloud.download import download_outputs

            note = await asyncio.to_thread(download_outputs, self.run_id, await self._output_dir())
            await self.note({"kind": "download", **note})
        await self.manager._finalize(self.run_id, exit_code)

    async def _cost_quiet(self) -> None:
        with contextlib.suppress(CloudError):
            await self._cost()

    async def _output_dir(self) -> Path:
        async with self.manager.db.session() as session:
            return Path((await session.get(Run, self.run_id)).output_dir)


def is_cloud_run(run: Run) -> bool:
    return ((run.recipe or {}).get("compute") or {}).get("target") == "cloud"
