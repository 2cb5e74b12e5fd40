"""Test-wide setup: every test runs offline against its own VIBEFLOW_HOME, never the user's ~/.vibeflow."""

from __future__ import annotations

import os
from pathlib import Path

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
