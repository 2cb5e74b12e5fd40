"""Test-wide setup: every test runs offline against its own VIBEFLOW_HOME, never the user's ~/.vibeflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


@pytest.fixture(autouse=True)
def vibeflow_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("vibeflow-home")
    monkeypatch.setenv("VIBEFLOW_HOME", str(home))
    monkeypatch.delenv("VIBEFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("VIBEFLOW_TOKEN", raising=False)
    monkeypatch.setenv(
        "VIBEFLOW_AUTO_EVAL", "0"
    )  # tests/evaluation turns auto-evaluation on where it tests it
    return home


@pytest.fixture
def settings(vibeflow_home: Path) -> Any:
    """The Settings of this test's VIBEFLOW_HOME."""
    from vibeflow.settings import load_settings

    return load_settings()


@pytest.fixture
async def db(settings: Any) -> AsyncIterator[Any]:
    """The store of this test's VIBEFLOW_HOME, migrated and open."""
    from vibeflow.store.db import open_database

    async with open_database(settings) as database:
        yield database


@pytest.fixture
def server(vibeflow_home: Path) -> Iterator[tuple[str, str]]:
    """A real `vibeflow serve` subprocess for this test's home: (url, token)."""
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
def client(server: tuple[str, str]) -> Iterator[Any]:
    """An httpx client for `server`, sending its token."""
    import httpx

    url, token = server
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
        yield c
