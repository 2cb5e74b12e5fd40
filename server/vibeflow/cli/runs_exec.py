"""Runs a training run in the CLI process: an in-process queue, a progress bar with loss and ETA, Ctrl-C to stop.

Also finds a running `vibeflow serve` (via $VIBEFLOW_HOME/server.json) so detached commands hand their run
to the server's queue instead of leaving it unwatched.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from vibeflow.runs.budget_guard import start_record
from vibeflow.runs.bus import run_channel
from vibeflow.runs.manager import RunManager
from vibeflow.runs.process import pid_alive, signal_group
from vibeflow.runs.service import RunService
from vibeflow.runs.summary import run_detail
from vibeflow.settings import Settings, load_settings
from vibeflow.store.db import Database, open_database
from vibeflow.store.models_runs import TERMINAL_STATUSES

T = TypeVar("T")
HEALTH_WAIT_S = 20.0


def with_db(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    """Open the store, run `work(db, settings)`, close it."""

    async def main() -> T:
        settings = load_settings()
        async with open_database(settings) as db:
            return await work(db, settings)

    return asyncio.run(main())


async def refreshed(db: Database, settings: Settings) -> None:
    """Bring unwatched runs up to date (journal re-sync; finalise dead trainers) before showing anything."""
    await RunManager(db, settings, adopt=False).check_runs(follow=False)


def server_client(settings: Settings) -> Any:
    """An httpx client for a live `vibeflow serve` of this VIBEFLOW_HOME, or None."""
    info_path = settings.home / "server.json"
    try:
        info = json.loads(info_path.read_text())
    except (OSError, ValueError):
        return None
    if not pid_alive(info.get("pid")):
        return None
    import httpx

    client = httpx.Client(
        base_url=info["url"], headers={"Authorization": f"Bearer {info['token']}"}, timeout=600
    )
    # The process is alive: give a busy backend (a loaded machine, a model loading) time to answer
    # before concluding that none is running.
    deadline = time.monotonic() + HEALTH_WAIT_S
    while True:
        try:
            client.get("/api/health", timeout=5).raise_for_status()
            return client
        except httpx.HTTPError:
            if time.monotonic() > deadline or not pid_alive(info.get("pid")):
                client.close()
                return None
            time.sleep(0.5)


def server_call(client: Any, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """One call to the server (the client is closed after it); its typed JSON errors become VibeFlowErrors."""
    from vibeflow.errors import VibeFlowError

    try:
        response = client.request(method, path, **kwargs)
    finally:
        client.close()
    body = response.json()
    if response.status_code >= 400:
        raise VibeFlowError(
            body.get("message", response.text),
            fix=body.get("fix", ""),
            file=body.get("file"),
            line=body.get("line"),
            details=body.get("details") or {},
        )
    return body


class Progress:
    """A tqdm bar on stderr (plain lines when stderr is not a terminal); silent in --json mode."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.stage: str | None = None
        self.last_printed = 0
        self.total: int | None = None
        self.latest: dict[str, float] = {}
        self.usd_per_hour: float | None = None  # from the run's budget record: the live cost on the bar
        self.started: float | None = None

    def _line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr, flush=True)

    def event(self, item: dict[str, Any]) -> None:
        if not self.enabled:
            return
        kind = item["type"]
        if kind == "stage" and item.get("stage") != self.stage:
            self.stage = item.get("stage")
            note = (item.get("detail") or {}).get("note")
            self._line(f"▸ {self.stage}" + (f": {note}" if note else ""))
        elif kind in ("alert", "error"):
            self._line(f"⚠ {item.get('message')}\n  fix: {item.get('fix')}")
        elif kind == "status" and item.get("status") in ("provisioning", "running", "stopping"):
            self._line(f"▸ {item.get('message')}")
        elif kind == "cloud":
            self._cloud(item)
        elif kind == "metrics" and isinstance(item.get("step"), int):
            self._metrics(item)

    def _cloud(self, item: dict[str, Any]) -> None:
        """SkyPilot's side of a cloud run: provisioning, preemptions and recoveries, faults, reconnects."""
        note = item.get("kind")
        if note == "fault":
            self._line(f"⚠ cloud: {item.get('message')}\n  fix: {item.get('fix')}")
        elif note == "reconnect" and item.get("attempt", 0) > 0:
            return  # the first reconnect is news; repeats of it are not
        elif item.get("message"):
            self._line(f"☁ {item['message']}" + (f"\n  fix: {item['fix']}" if item.get("fix") else ""))

    def _metrics(self, item: dict[str, Any]) -> None:
        total, step = item.get("max_steps") or self.total, item["step"]
        self.total = total
        for key in ("loss", "eval_loss", "eta_s", "tokens_per_s"):
            if isinstance(item.get(key), int | float):
                self.latest[key] = item[key]
        if self.started is None:
            self.started = time.monotonic()
        parts = [
            f"{label} {self.latest[key]:.4g}"
            for key, label in (("loss", "loss"), ("eval_loss", "eval"))
            if key in self.latest
        ]
        if "tokens_per_s" in self.latest:
            parts.append(f"{self.latest['tokens_per_s']:.0f} tok/s")
        if self.usd_per_hour is not None:
            parts.append(f"${(time.monotonic() - self.started) / 3600 * self.usd_per_hour:.2f} so far")
        if "eta_s" in self.latest and step != total:
            parts.append(f"ETA {_clock(self.latest['eta_s'])}")
        text = ", ".join(parts)
        if self.tty:
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(
                    total=total,
                    desc="training",
                    unit="step",
                    file=sys.stderr,
                    bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]",
                )
            self.bar.total = total
            self.bar.n = step
            self.bar.set_postfix_str(text, refresh=True)
        elif total and (step - self.last_printed >= max(1, total // 10) or step == total):
            self.last_printed = step
            print(f"  step {step}/{total}: {text}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


async def follow_run(
    db: Database, settings: Settings, run_id: str, *, wait: bool, show: bool
) -> dict[str, Any]:
    """Launch a queued run in this process. With `wait`, follow it to the end (Ctrl-C stops it gracefully)."""
    manager = RunManager(db, settings, adopt=False, concurrency=1)
    progress = Progress(show)
    async with db.session() as session:
        record = await start_record(session, run_id)
    if record:
        progress.usd_per_hour = float(record.get("usd_per_hour") or 0.0)
    loop = asyncio.get_running_loop()
    interrupts = {"count": 0}

    def on_interrupt() -> None:
        interrupts["count"] += 1
        if interrupts["count"] == 1:
            progress._line("stopping: the trainer saves a checkpoint (Ctrl-C again to kill it)")
            asyncio.ensure_future(manager.stop(run_id))
        else:
            follow = manager.following.get(run_id)
            if follow is not None and follow.process is not None:
                signal_group(follow.process.pid, signal.SIGKILL)

    await manager.start()
    try:
        async with manager.bus.subscribe(run_channel(run_id)) as queue:
            await manager.submit(run_id)
            if wait:
                loop.add_signal_handler(signal.SIGINT, on_interrupt)
            while True:
                item = await queue.get()
                progress.event(item)
                status = item.get("status") if item["type"] == "status" else None
                if status in TERMINAL_STATUSES or (not wait and status == "running"):
                    break
    finally:
        if wait:
            loop.remove_signal_handler(signal.SIGINT)
        progress.close()
        await manager.close()
    async with db.session() as session:
        return run_detail(await RunService(session, settings).get(run_id))
