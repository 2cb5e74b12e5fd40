"""Auto-evaluation: evaluates every run that completes (on by default; VIBEFLOW_AUTO_EVAL=0 turns it off).

Registered as a run-finish hook when this module is imported (the API routes and the CLI import it). Inside
`vibeflow serve` it runs as a background task (`set_background(True)`), so the run queue is not held up. In a
CLI process (`vibeflow train --wait`), which exits as soon as the run ends, it stores the evaluation and executes it in a
detached process (its output in $VIBEFLOW_HOME/evaluations/<evaluation id>.log) and says how to see the result.
Import stays light.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

from vibeflow.runs.hooks import on_run_finished

log = logging.getLogger(__name__)
_FALSE = ("0", "false", "no", "off")
_background = False
_tasks: set[asyncio.Task[Any]] = set()


def enabled() -> bool:
    return os.environ.get("VIBEFLOW_AUTO_EVAL", "1").strip().lower() not in _FALSE


def auto_options() -> dict[str, Any]:
    """Options of automatic evaluations: $VIBEFLOW_AUTO_EVAL_SAMPLE held-out examples (default 50)."""
    raw = os.environ.get("VIBEFLOW_AUTO_EVAL_SAMPLE", "").strip()
    return {"sample": int(raw)} if raw.isdigit() else {}


def set_background(value: bool) -> None:
    global _background
    _background = value


async def cancel_background() -> None:
    """Stop background evaluations (backend shutdown); each is marked failed with a re-run fix."""
    tasks = list(_tasks)
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


def spawn(work: Any, name: str) -> asyncio.Task[Any]:
    """Run a coroutine as a tracked background task (cancelled by `cancel_background`)."""
    task = asyncio.create_task(work, name=name)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


def _line(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def _evaluate(run_id: str, db: Any, settings: Any) -> None:
    from vibeflow.errors import VibeFlowError
    from vibeflow.evaluation.service import EvaluationService

    try:
        ev = await EvaluationService(db, settings).evaluate(run_id, trigger="auto", options=auto_options())
    except VibeFlowError as error:  # e.g. no test split: nothing to evaluate on
        log.warning("auto-evaluation of %s skipped: %s", run_id, error.message)
        return
    log.info("auto-evaluation %s of %s: %s", ev.id, run_id, ev.status)


@on_run_finished
async def auto_evaluate(run_id: str, status: str, db: Any, settings: Any) -> None:
    if status != "completed" or not enabled():
        return
    if _background:
        spawn(_evaluate(run_id, db, settings), name=f"auto-eval-{run_id}")
        return
    from vibeflow.errors import VibeFlowError
    from vibeflow.evaluation.service import EvaluationService

    service = EvaluationService(db, settings)
    try:
        ev = await service.create(run_id, trigger="auto", options=auto_options())
    except VibeFlowError as error:
        _line(f"▸ no automatic evaluation: {error.message}\n  fix: {error.fix}")
        return
    pid, log_path = detach(ev.id, settings.home)
    await service.set_owner(ev.id, pid)
    _line(
        f"▸ evaluating {run_id} against its base model in the background ({ev.id}; VIBEFLOW_AUTO_EVAL=0 "
        f"skips this)\n  result: vibeflow eval show {run_id}   (log: {log_path})"
    )


def detach(ev_id: str, home: Any) -> tuple[int, Any]:
    """Run `vibeflow eval EV --execute` in its own session, so it outlives this CLI process."""
    import subprocess
    from pathlib import Path

    directory = Path(home) / "evaluations"
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / f"{ev_id}.log"
    with open(log_path, "ab") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "vibeflow", "eval", ev_id, "--execute"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    return child.pid, log_path
