"""Starts the trainer as its own process group and answers "is it still alive?" without being its parent.

The trainer's stdout and stderr go to `OUTPUT_DIR/trainer.log` rather than a pipe, so a backend that dies
(even by kill -9) never breaks the trainer's output: it keeps training and the next backend adopts it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from vibeflow.runs.errors import RunError

LOG_NAME = "trainer.log"
JOURNAL_NAME = "events.jsonl"
TRAINER_MODULE = "vibeflow_trainer"


def trainer_python() -> str:
    """The interpreter that runs the trainer: $VIBEFLOW_TRAINER_PYTHON (a separate env) or our own."""
    return os.environ.get("VIBEFLOW_TRAINER_PYTHON") or sys.executable


def trainer_command(spec_path: Path, python: str | None = None) -> list[str]:
    return [python or trainer_python(), "-m", TRAINER_MODULE, "run", str(spec_path), "--resume", "auto"]


def launch(
    command: list[str], output_dir: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start `command` in a new session (its own process group) with output appended to trainer.log."""
    output_dir.mkdir(parents=True, exist_ok=True)
    child_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    with open(output_dir / LOG_NAME, "ab") as log:
        try:
            return subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=output_dir,
                env=child_env,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as error:
            raise RunError(
                f"cannot start the trainer ({command[0]}): {error.strerror}",
                fix="check VIBEFLOW_TRAINER_PYTHON, or install the trainer extra: "
                "pip install -e '.[trainer]'",
            ) from error


def _proc_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[0]


def pid_alive(pid: int | None) -> bool:
    """True while `pid` runs and still is a VibeFlow process — trainer or backend (zombies and pids recycled by
    other programs count as dead)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    state = _proc_state(pid)
    if state in ("Z", "X"):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (macOS): trust kill(0)
    return TRAINER_MODULE.encode() in cmdline or b"vibeflow" in cmdline


def signal_group(pid: int, sig: int = signal.SIGTERM) -> bool:
    """Signal the trainer's whole process group (pid == pgid: it leads its own session)."""
    try:
        os.killpg(pid, sig)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        try:
            os.kill(pid, sig)
            return True
        except OSError:
            return False
