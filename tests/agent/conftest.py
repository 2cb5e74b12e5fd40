"""Fixtures for agent tests: the Gemini REST stub wired into the env, an open store, and a chat helper."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.gemini_stub import GeminiStub

from vibeflow.settings import Settings
from vibeflow.store.db import Database

API_KEY = "test-key-0123456789"
Send = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Gemini key anywhere: the agent must run offline."""
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "VIBEFLOW_GEMINI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[GeminiStub]:
    """A Gemini stub that accepts only API_KEY, with the env pointing google-genai at it."""
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with GeminiStub(api_key=API_KEY) as server:
        monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
        monkeypatch.setenv("VIBEFLOW_GEMINI_BASE_URL", server.base_url)
        monkeypatch.setenv("VIBEFLOW_GEMINI_ATTEMPTS", "1")
        monkeypatch.setenv("VIBEFLOW_GEMINI_TIMEOUT_S", "3")
        yield server


@pytest.fixture
def send(db: Database, settings: Settings) -> Send:
    """send(message, project="default", dataset_version=None) → the agent's reply dict (fresh session each)."""
    from vibeflow.recommend.agent import BrainstormAgent

    async def call(
        message: str,
        project: str = "default",
        dataset_version: str | None = None,
        data_path: str | None = None,
    ) -> dict[str, Any]:
        async with db.session() as session:
            agent = BrainstormAgent(session, settings)
            return await agent.send(project, message, dataset_version, data_path)

    return call


@pytest.fixture
def agent_call(db: Database, settings: Settings) -> Callable[..., Awaitable[Any]]:
    """agent_call("recipe", "default") → runs one BrainstormAgent method in a fresh session."""
    from vibeflow.recommend.agent import BrainstormAgent

    async def call(method: str, *args: Any) -> Any:
        async with db.session() as session:
            return await getattr(BrainstormAgent(session, settings), method)(*args)

    return call


def write_support_csv(path: Path, rows: int = 60) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer"])
        for i in range(rows):
            writer.writerow(
                [
                    f"How do I reset the password of account number {i} when the reset e-mail never arrives?",
                    f"Open Settings, choose Security, click 'Send reset link' again and check spam folder {i}; "
                    "if nothing arrives within ten minutes, contact support with your account id.",
                ]
            )
    return path


@pytest.fixture
async def dataset(db: Database, settings: Settings, tmp_path: Path) -> str:
    """A real imported dataset version (quality report with exact token lengths); returns its ref."""
    from vibeflow.data.versions import DatasetService

    source = write_support_csv(tmp_path / "tickets.csv")
    async with db.session() as session:
        version = await DatasetService(session, settings).import_file(source, name="tickets")
        await session.commit()
        return version.ref


def run_cli(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vibeflow", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=cwd,
        input=stdin,
        timeout=180,
    )
