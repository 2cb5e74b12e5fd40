"""Helpers for backbone tests: a CLI runner (the `vibeflow serve` fixtures are in tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_cli(*args: str, check: bool = True, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "vibeflow", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result
