"""Commands the CLI suggests (`Stop it with: …`) work when pasted: same VIBEFLOW_HOME, a vibeflow that exists."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vibeflow.cli.output import runnable


def test_the_home_and_this_environments_vibeflow_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.setenv("VIBEFLOW_HOME", str(tmp_path / "demo home"))
    monkeypatch.setenv("PATH", "/nonexistent")
    line = runnable("vibeflow deployments stop vibeflow-demo")
    ours = Path(sys.executable).with_name("vibeflow")
    assert line.startswith(f"VIBEFLOW_HOME='{tmp_path / 'demo home'}' ")
    assert line.endswith(" deployments stop vibeflow-demo")
    if ours.is_file():
        assert "vibeflow deployments" in line and line.split(" ")[1] != "vibeflow"


def test_a_plain_setup_gets_the_plain_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIBEFLOW_HOME", raising=False)
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    assert runnable("vibeflow runs show r1") == "vibeflow runs show r1"
