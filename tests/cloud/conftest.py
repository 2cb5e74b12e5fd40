"""Fixtures for the cloud tests: the real SkyPilot venv (set up once per session), an isolated SkyPilot home.

The venv lives at $VIBEFLOW_SKY_VENV (default: <repo>/.venv-sky, git-ignored, so CI can cache it). Tests that
need it skip — with the reason — only when SkyPilot is not installed and PyPI cannot be reached.
"""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest

from vibeflow.cloud.env import SkyEnv, installed, setup
from vibeflow.cloud.errors import CloudError

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).with_name("fixtures")


def _pypi_reachable() -> bool:
    try:
        urllib.request.urlopen("https://pypi.org/simple/skypilot/", timeout=10).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def sky_env() -> SkyEnv:
    """`vibeflow cloud setup` once per session (a no-op when the cached venv already holds the pinned version)."""
    os.environ.setdefault("VIBEFLOW_SKY_VENV", str(REPO / ".venv-sky"))
    if installed() is None and not _pypi_reachable():
        pytest.skip("SkyPilot is not installed and PyPI is unreachable, so `vibeflow cloud setup` cannot run")
    try:
        env, _ = setup()
    except CloudError as error:
        if not _pypi_reachable():
            pytest.skip(f"PyPI is unreachable: {error.message}")
        raise
    return env


@pytest.fixture
def sky_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sky_env: SkyEnv) -> Path:
    """SkyPilot state (~/.sky) in a temp HOME: no credentials, no clouds, nothing of the user's touched."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("VIBEFLOW_SKY_OFFLINE_CLOUDS", raising=False)
    monkeypatch.setenv("VIBEFLOW_SKY_VENV", str(sky_env.path))
    return home
