"""Fixtures for backbone tests: a real `vibeflow serve` subprocess and a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


@pytest.fixture
def server(vibeflow_home: Path) -> Iterator[tuple[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vibeflow", "serve", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        info = json.loads(line)
        yield info["url"], info["token"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def client(server: tuple[str, str]) -> Iterator[httpx.Client]:
    url, token = server
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
        yield c


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "vibeflow", *args], capture_output=True, text=True, env=os.environ.copy()
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result
