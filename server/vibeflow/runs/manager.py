"""The job queue: launches queued runs (bounded concurrency), follows them, stops/resumes them, and a watchdog.

One manager lives in each backend process that executes runs (the API server, or `vibeflow train --wait`).
Each run row records which backend follows it (`owner_pid`); a run whose owner is gone is adopted by the
next manager that looks: its journal is re-synced, and it is followed to the end if the trainer still lives
or finalised from its events if not — so no run stays "running" after a kill -9 of trainer or backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from vibeflow.errors import NotFoundError, VibeFlowError
from vibeflow.runs.bus import STATUS_CHANNEL, EventBus, run_channel
from vibeflow.runs.errors import RunStateError
from vibeflow.runs.events import EXIT_ERROR_TYPES, EXIT_STOPPED, describe_exit, parse_event, parse_stdout_line
from vibeflow.runs.follow import LineTail
from vibeflow.runs.hooks import run_finish_hooks
from vibeflow.runs.ingest import Ingestor, add_backend_event, event_dict, lock_run
from vibeflow.runs.process import JOURNAL_NAME, LOG_NAME, launch, pid_alive, signal_group, trainer_command
from vibeflow.runs.spec import write_spec
from vibeflow.runs.summary import run_summary
from vibeflow.settings import Settings
from vibeflow.store.db import Database
from vibeflow.store.models import utcnow
from vibeflow.store.models_runs import Run, RunEvent

log = logging.getLogger(__name__)
STOP_GRACE_S = 120.0


def default_concurrency() -> int:
    """$VIBEFLOW_MAX_RUNS, else 1 (one trainer at a time: a CPU or a single GPU is saturated by one run)."""
    try:
        return max(1, int(os.environ.get("VIBEFLOW_MAX_RUNS", "1")))
    except ValueError:
        return 1


@dataclass
class Follow:
    """A run this manager is following: its task, and the child process when we launched it."""

    task: asyncio.Task[None]
    process: Any = None
    stop_deadline: float | None = None


class RunManager:
    """Queue + runner + follower + watchdog for local runs."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        bus: EventBus | None = None,
        concurrency: int | None = None,
        command: Callable[[Path], list[str]] | None = None,
        poll_s: float = 0.2,
        watchdog_s: float = 2.0,
        stop_grace_s: float = STOP_GRACE_S,
        adopt: bool = True,
    ) -> None:
        self.db = db
        self.settings = settings
        self.bus = bus or EventBus()
        self.ingestor = Ingestor(db, self.bus)
        self.concurrency = concurrency or default_concurrency()
        self.command = command or trainer_command  # tests substitute a scripted trainer
        self.poll_s = poll_s
        self.watchdog_s = watchdog_s
        self.stop_grace_s = stop_grace_s
        self.adopt = adopt
        self.pid = os.getpid()
        self.following: dict[str, Follow] = {}
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()
        self._slots = asyncio.Semaphore(self.concurrency)
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()

    # ---- lifecycle ---------------------------------------------------------------------------------------
    async def start(self) -> None:
        if self.adopt:
            await self.check_runs()
        self._tasks = [asyncio.create_task(self._dispatch(), name="runs-dispatch")]
        if self.adopt:
            self._tasks.append(asyncio.create_task(self._watchdog(), name="runs-watchdog"))

    async def close(self) -> None:
        """Stop following (trainers keep running in their own sessions; the next backend adopts them)."""
        self._closing.set()  # loops leave at their next pause, outside any database call
        ids = list(self.following) + list(self._queued)
        for task in self._tasks[:1]:
            task.cancel()  # the dispatcher only ever waits on the queue
        tasks = [*self._tasks, *self._background, *(f.task for f in self.following.values())]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=5)
            for task in late:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if ids:
            async with self.db.session() as session:
                for run in await session.scalars(
                    select(Run).where(Run.id.in_(ids), Run.owner_pid == self.pid)
                ):
                    run.owner_pid = None
                await session.commit()
        self.following.clear()

    # ---- commands ----------------------------------------------------------------------------------------
    async def submit(self, run_id: str) -> None:
        """Put a queued run in line; it starts when a slot is free."""
        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is None or run.status != "queued":
                return
            run.owner_pid = self.pid
            await session.commit()
            self._publish_status(run)
        if run_id not in self._queued:
            self._queued.add(run_id)
            await self._queue.put(run_id)

    async def stop(self, run_id: str) -> Run:
        """Queued: cancelled at once. Running: SIGTERM to the trainer's group (it checkpoints and exits)."""
        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is None:
                raise NotFoundError(f"run {run_id} not found", fix="list runs with `vibeflow runs list`")
            if run.status == "queued":
                row = self._finish(session, run, "stopped", None, "stopped before it started")
                await session.commit()
                self._queued.discard(run.id)
                self._publish_status(run, row)
                return run
            if run.status != "running":
                raise RunStateError(
                    f"run {run.id} is {run.status}, not running",
                    fix=f"resume it with `vibeflow runs resume {run.id}`"
                    if run.status in ("stopped", "failed", "orphaned")
                    else "nothing to stop",
                )
            run.stop_requested = True
            row = add_backend_event(
                session,
                run,
                "status",
                {"status": "stopping", "message": "stop requested: the trainer saves a checkpoint and exits"},
            )
            await session.commit()
            self._publish_event(row)
            pid = run.pid
        if pid:
            signal_group(pid, signal.SIGTERM)
        follow = self.following.get(run_id)
        if follow is not None and follow.process is not None:
            follow.stop_deadline = time.monotonic() + self.stop_grace_s  # our child: the follower escalates
        else:
            task = asyncio.create_task(self._escalate(pid))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return run

    async def resume(self, run_id: str) -> Run:
        """Re-launch a stopped/failed/orphaned run with `--resume auto` (from its latest checkpoint)."""
        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is None:
                raise NotFoundError(f"run {run_id} not found", fix="list runs with `vibeflow runs list`")
            if run.status not in ("stopped", "failed", "orphaned"):
                fix = (
                    f"start a new run from it with `vibeflow runs retry {run.id}`"
                    if run.status == "completed"
                    else "wait for it, or stop it first"
                )
                raise RunStateError(
                    f"run {run.id} is {run.status}; only stopped, failed or orphaned runs resume", fix=fix
                )
            run.status = "queued"
            run.stop_requested = False
            run.error = None
            run.exit_code = None
            run.finished_at = None
            step = f" from step {run.checkpoint_step}" if run.checkpoint_step else ""
            row = add_backend_event(
                session, run, "status", {"status": "queued", "message": f"resume queued{step}"}
            )
            await session.commit()
            self._publish_event(row)
        await self.submit(run_id)
        async with self.db.session() as session:
            return await session.get(Run, run_id)  # type: ignore[return-value]

    # ---- queue -------------------------------------------------------------------------------------------
    async def _dispatch(self) -> None:
        while True:
            run_id = await self._queue.get()
            await self._slots.acquire()
            self._queued.discard(run_id)
            task = asyncio.create_task(self._execute(run_id), name=f"run-{run_id}")
            self.following[run_id] = Follow(task)
            task.add_done_callback(lambda _t, rid=run_id: self._done(rid))

    def _done(self, run_id: str) -> None:
        self._slots.release()
        self.following.pop(run_id, None)

    async def _execute(self, run_id: str) -> None:
        try:
            await self._launch_and_follow(run_id)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - a bug or an I/O failure must not leave the run running
            log.exception("run %s failed in the backend", run_id)
            await self._finalize(run_id, None, backend_error=f"{type(error).__name__}: {error}")

    async def _launch_and_follow(self, run_id: str) -> None:
        if await self._follow_cloud(run_id):
            return
        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is None or run.status != "queued":
                return
            output_dir = Path(run.output_dir)
            spec_path = write_spec(run.spec, output_dir)
            log_path = output_dir / LOG_NAME
            offset = log_path.stat().st_size if log_path.exists() else 0
            try:
                process = launch(self.command(spec_path), output_dir)
            except VibeFlowError as error:
                row = self._finish(
                    session,
                    run,
                    "failed",
                    None,
                    {"type": "launch", "message": error.message, "fix": error.fix},
                )
                await session.commit()
                self._publish_status(run, row)
                return
            first = run.attempts == 0
            run.status, run.pid, run.owner_pid = "running", process.pid, self.pid
            run.attempts += 1
            run.started_at = run.started_at or utcnow()
            row = add_backend_event(
                session,
                run,
                "status",
                {
                    "status": "running",
                    "pid": process.pid,
                    "attempt": run.attempts,
                    "message": f"trainer started (pid {process.pid})",
                },
            )
            await session.commit()
            self._publish_status(run, row)
        self.following[run_id].process = process
        if first:
            await self.ingestor.start_alerts(run_id)
        tail = LineTail(log_path, offset)
        while process.poll() is None:
            await self._ingest_lines(run_id, tail.read())
            follow = self.following.get(run_id)
            if follow and follow.stop_deadline and time.monotonic() > follow.stop_deadline:
                signal_group(process.pid, signal.SIGKILL)
                follow.stop_deadline = None
            if await self._pause(self.poll_s):
                return
        await self._ingest_lines(run_id, tail.read(final=True))
        await self.sync_journal(run_id)
        await self._finalize(run_id, process.returncode)

    async def _follow_cloud(self, run_id: str) -> bool:
        """A `compute.target: cloud` run is launched and followed through SkyPilot (vibeflow.cloud)."""
        from vibeflow.cloud.follower import CloudFollower, is_cloud_run

        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is None or run.status != "queued" or not is_cloud_run(run):
                return False
        await CloudFollower(self, run_id).run()
        return True

    async def _adopt_cloud(self, run: Run, follow: bool) -> bool:
        """A running cloud run has no local pid: follow its SkyPilot job again instead of finalising it."""
        from vibeflow.cloud.follower import CloudFollower, is_cloud_run

        if not is_cloud_run(run):
            return False
        if follow:
            task = asyncio.create_task(CloudFollower(self, run.id).reattach(), name=f"adopt-{run.id}")
            self.following[run.id] = Follow(task)
            task.add_done_callback(lambda _t, rid=run.id: self.following.pop(rid, None))
        return True

    async def _ingest_lines(self, run_id: str, lines: list[str]) -> None:
        events = [e for e in map(parse_stdout_line, lines) if e is not None]
        if events:
            await self.ingestor.ingest(run_id, events)

    # ---- journal, adoption, watchdog ---------------------------------------------------------------------
    async def sync_journal(self, run_id: str) -> int:
        """Ingest whatever events.jsonl holds beyond what was read before (idempotent); returns new events."""
        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is None:
                return 0
            tail = LineTail(Path(run.output_dir) / JOURNAL_NAME, run.journal_offset)
        total = 0
        while lines := tail.read(final=not pid_alive(run.pid)):
            events = [e for e in map(parse_event, lines) if e is not None]
            total += await self.ingestor.ingest(run_id, events, journal_offset=tail.offset)
        return total

    async def check_runs(self, follow: bool = True) -> None:
        """Adopt runs nobody follows: re-sync their journals, follow live trainers, finalise dead ones.

        With `follow=False` (short-lived CLI commands) live trainers are only re-synced, not claimed.
        """
        async with self.db.session() as session:
            runs = list(
                await session.scalars(
                    select(Run).where(Run.status.in_(("queued", "running"))).order_by(Run.created_at)
                )
            )
        for run in runs:
            if run.id in self.following or run.id in self._queued:
                continue
            if run.owner_pid and run.owner_pid != self.pid and pid_alive(run.owner_pid):
                continue  # another live backend follows it
            if run.status == "queued":
                if follow:
                    await self.submit(run.id)
                continue
            if await self._adopt_cloud(run, follow):
                continue
            await self.sync_journal(run.id)
            if pid_alive(run.pid):
                if not follow:
                    continue
                await self._claim(run.id)
                task = asyncio.create_task(self._follow_journal(run.id, run.pid), name=f"adopt-{run.id}")
                self.following[run.id] = Follow(task)
                task.add_done_callback(lambda _t, rid=run.id: self.following.pop(rid, None))
            else:
                await self._finalize(run.id, None)

    async def _claim(self, run_id: str) -> None:
        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is not None:
                run.owner_pid = self.pid
                await session.commit()

    async def _follow_journal(self, run_id: str, pid: int | None) -> None:
        while pid_alive(pid):
            await self.sync_journal(run_id)
            if await self._pause(self.poll_s):
                return
        await self.sync_journal(run_id)
        await self._finalize(run_id, None)

    async def _watchdog(self) -> None:
        while not await self._pause(self.watchdog_s):
            try:
                await self.check_runs()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the watchdog must survive a transient DB error
                log.exception("watchdog pass failed")

    async def _pause(self, seconds: float) -> bool:
        """Sleep; True when the manager is closing (followers then leave the run to the next backend)."""
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def _escalate(self, pid: int | None) -> None:
        deadline = time.monotonic() + self.stop_grace_s
        while pid_alive(pid) and time.monotonic() < deadline:
            if await self._pause(self.poll_s):
                return
        if pid and pid_alive(pid):
            signal_group(pid, signal.SIGKILL)

    # ---- finishing ---------------------------------------------------------------------------------------
    async def _finalize(self, run_id: str, exit_code: int | None, backend_error: str | None = None) -> None:
        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is None or run.status not in ("running", "queued"):
                return
            status, error = _outcome(run, exit_code, backend_error)
            row = self._finish(session, run, status, exit_code, error)
            await session.commit()
            self._publish_status(run, row)
        self.ingestor.forget(run_id)
        await run_finish_hooks(run_id, status, self.db, self.settings)

    def _finish(
        self, session: Any, run: Run, status: str, exit_code: int | None, error: dict[str, Any] | str | None
    ) -> RunEvent:
        run.status = status
        run.exit_code = exit_code
        run.finished_at = utcnow()
        run.owner_pid = None
        if isinstance(error, dict):
            run.error = error
        message = error["message"] if isinstance(error, dict) else (error or status)
        payload: dict[str, Any] = {"status": status, "message": message, "exit_code": exit_code}
        if isinstance(error, dict):
            payload["fix"] = error.get("fix", "")
        return add_backend_event(session, run, "status", payload)

    def _publish_event(self, row: RunEvent) -> None:
        self.bus.publish(run_channel(row.run_id), event_dict(row))

    def _publish_status(self, run: Run, row: RunEvent | None = None) -> None:
        if row is not None:
            self._publish_event(row)
        self.bus.publish(
            STATUS_CHANNEL,
            {
                "type": "run",
                "run_id": run.id,
                "status": run.status,
                "stage": run.stage,
                "step": run.step,
                "run": run_summary(run),
            },
        )


def _outcome(run: Run, exit_code: int | None, backend_error: str | None) -> tuple[str, dict[str, Any] | None]:
    """Final status and error of a run whose trainer has exited (exit_code None: not our child)."""
    at = f" at step {run.step}" if run.step else ""
    resume_fix = (
        f"resume from the checkpoint of step {run.checkpoint_step}: vibeflow runs resume {run.id}"
        if run.checkpoint_step
        else f"start it again: vibeflow runs resume {run.id}"
    )
    if backend_error:
        return "failed", {
            "type": "backend",
            "message": f"the backend lost this run: {backend_error}",
            "fix": resume_fix,
        }
    if exit_code == 0 or (exit_code is None and run.stage == "completed"):
        return "completed", None
    if (
        exit_code in EXIT_STOPPED
        or run.stage == "stopped"
        or (run.stop_requested and exit_code is not None and exit_code < 0)
    ):
        return "stopped", None
    if exit_code is not None and exit_code > 0:
        error = run.error or {
            "type": EXIT_ERROR_TYPES.get(exit_code, "unknown"),
            "message": f"the trainer exited: {describe_exit(exit_code)}",
            "fix": f"see the log: vibeflow runs logs {run.id}",
        }
        return "failed", error
    if exit_code is not None:  # killed by a signal we did not send
        return "failed", {
            "type": "killed",
            "message": f"the trainer was {describe_exit(exit_code)}{at} "
            "(kill -9, or the OS out-of-memory killer)",
            "fix": f"{resume_fix}; if memory ran out, retry with a smaller batch: "
            f"vibeflow runs retry {run.id}",
        }
    if run.stage == "failed" or run.error:
        return "failed", run.error or {
            "type": "unknown",
            "message": "the trainer reported a failure",
            "fix": f"see the log: vibeflow runs logs {run.id}",
        }
    since = _ago(run.updated_at)
    return "orphaned", {
        "type": "orphaned",
        "message": f"the trainer (pid {run.pid}) is gone without finishing{at}{since}: it was "
        "killed (kill -9, out of memory, reboot) while no backend was watching",
        "fix": resume_fix,
    }


def _ago(when: datetime | None) -> str:
    return f"; last event {when.isoformat(timespec='seconds')}" if when else ""
