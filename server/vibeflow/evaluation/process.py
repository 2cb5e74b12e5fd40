"""Runs `python -m vibeflow_trainer evaluate spec.json` and follows its `@@vibeflow@@` events as they arrive.

stdout is a pipe (events); stderr goes to console.log in the evaluation directory. Cancelling the follower
(backend shutdown) terminates the child, so no evaluation keeps running without an owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from vibeflow.runs.events import EVENT_PREFIX
from vibeflow.runs.process import trainer_python

EventHandler = Callable[[dict[str, Any]], Awaitable[None]]
# Share of the progress bar per phase of the subprocess (the backend's scoring and judge take the rest).
PHASES = {
    "generate_base": (0.0, 0.35),
    "generate_tuned": (0.35, 0.70),
    "perplexity_base": (0.70, 0.74),
    "perplexity_tuned": (0.74, 0.78),
    "embed": (0.78, 0.81),
    "forgetting_base": (0.81, 0.85),
    "forgetting_tuned": (0.85, 0.89),
}
SCORING_PROGRESS = 0.9
JUDGE_PROGRESS = 0.95


def phase_progress(phase: str, done: int, total: int) -> float | None:
    span = PHASES.get(phase)
    if span is None or total <= 0:
        return None
    low, high = span
    return low + (high - low) * min(done, total) / total


def parse_line(line: str) -> dict[str, Any] | None:
    start = line.find(EVENT_PREFIX)
    if start < 0:
        return None
    try:
        event = json.loads(line[start + len(EVENT_PREFIX) :])
    except ValueError:
        return None
    return event if isinstance(event, dict) and "type" in event else None


def evaluate_command(spec_path: Path) -> list[str]:
    return [trainer_python(), "-m", "vibeflow_trainer", "evaluate", str(spec_path)]


async def run_subprocess(
    spec_path: Path, directory: Path, on_event: EventHandler, on_start: Callable[[int], Awaitable[None]]
) -> tuple[int, list[dict[str, Any]]]:
    """Run the evaluation child; returns (exit code, error events)."""
    errors: list[dict[str, Any]] = []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(directory / "console.log", "ab") as console:
        try:
            child = await asyncio.create_subprocess_exec(
                *evaluate_command(spec_path),
                stdout=asyncio.subprocess.PIPE,
                stderr=console,
                stdin=asyncio.subprocess.DEVNULL,
                cwd=directory,
                env=env,
                limit=1 << 24,
            )
        except OSError as error:
            from vibeflow.errors import VibeFlowError

            raise VibeFlowError(
                f"cannot start the evaluation process ({trainer_python()}): {error.strerror}",
                fix="check VIBEFLOW_TRAINER_PYTHON, or install the trainer extra: pip install -e '.[trainer]'",
            ) from error
        await on_start(child.pid)
        try:
            assert child.stdout is not None
            async for raw in child.stdout:
                event = parse_line(raw.decode("utf-8", errors="replace"))
                if event is None:
                    continue
                if event["type"] == "error":
                    errors.append(event)
                await on_event(event)
            code = await child.wait()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(child.wait(), 10)
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            raise
    return code, errors
