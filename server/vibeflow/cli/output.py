"""Shared CLI output helpers: JSON vs human printing, error printing, exit codes, progress bars on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

EXIT_ERROR = 2
EXIT_INTERNAL = 3


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_error(error: Any, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps(error.to_dict(), ensure_ascii=False, default=str))
    print(f"error: {error}", file=sys.stderr)


def add_json_flag(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")


def progress_printer(enabled: bool) -> Callable[[str, int, int], None] | None:
    """A stage-aware progress bar (tqdm on stderr) for long data work; None when disabled."""
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            bars.clear()
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="row", leave=False, file=sys.stderr)
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def runnable(command: str) -> str:
    """`command` (starting with `vibeflow`) as it works when pasted into this shell.

    It names this environment's `vibeflow` when a bare `vibeflow` would not find it on PATH, and carries
    VIBEFLOW_HOME when it is set, so a follow-up talks to the same state (and backend) as this command.
    """
    import os
    import shlex
    import shutil
    from pathlib import Path

    words = command.split(" ", 1)
    if words[0] == "vibeflow":
        ours = Path(sys.executable).with_name("vibeflow")
        found = shutil.which("vibeflow")
        if ours.is_file() and (found is None or Path(found).resolve() != ours.resolve()):
            try:
                words[0] = shlex.quote(os.path.relpath(ours))
            except ValueError:
                words[0] = shlex.quote(str(ours))
    home = os.environ.get("VIBEFLOW_HOME")
    prefix = f"VIBEFLOW_HOME={shlex.quote(home)} " if home else ""
    return prefix + " ".join(words)
