"""Shared fixtures for trainer tests: a very small local model, demo chat data, spec writing, CLI runners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vibeflow_trainer.demo_data import write_demo_dataset
from vibeflow_trainer.events import read_events

TINY_SHAPE = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 2,
    "intermediate_size": 64,
    "max_position_embeddings": 256,
}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-init 2-layer Llama (hidden 32) with the demo tokenizer, as a local base model directory."""
    from vibeflow_trainer.demo_model import build_model_dir

    return build_model_dir(tmp_path_factory.mktemp("models") / "tiny", shape=TINY_SHAPE, seed=1)


@pytest.fixture(scope="session")
def chat_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("data")
    return {
        "train": write_demo_dataset(root / "train.jsonl", rows=64, seed=0),
        "eval": write_demo_dataset(root / "eval.jsonl", rows=16, seed=1),
    }


@pytest.fixture
def make_spec(tmp_path: Path, tiny_model: Path, chat_data: dict[str, Path]) -> Callable[..., Path]:
    """Write a JSON run spec (tiny model, small steps) with overrides and return its path."""

    def _make(name: str = "spec.json", **overrides: Any) -> Path:
        spec: dict[str, Any] = {
            "base_model": str(tiny_model),
            "train_path": str(chat_data["train"]),
            "output_dir": str(tmp_path / "out"),
            "run_id": "test-run",
            "max_steps": 6,
            "batch_size": 4,
            "learning_rate": 5e-3,
            "max_seq_length": 128,
            "checkpoint_every": 3,
            "keep_checkpoints": 2,
            "gradient_stats_every": 2,
            "seed": 7,
        }
        spec.update(overrides)
        spec = {k: v for k, v in spec.items() if v is not None}
        path = tmp_path / name
        path.write_text(json.dumps(spec), encoding="utf-8")
        return path

    return _make


def trainer_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "trainer"), env.get("PYTHONPATH")]))
    return env


def run_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run `python -m vibeflow_trainer ARGS` in a subprocess (as the backend does)."""
    return subprocess.run(
        [sys.executable, "-m", "vibeflow_trainer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=trainer_env(),
        check=False,
    )


def popen_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vibeflow_trainer", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=trainer_env(),
    )


def journal(output_dir: Path) -> list[dict[str, Any]]:
    return read_events((output_dir / "events.jsonl").read_text(encoding="utf-8"))


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


def stages(events: list[dict[str, Any]]) -> list[str]:
    return [e["stage"] for e in of_type(events, "stage")]


def losses_by_step(events: list[dict[str, Any]]) -> dict[int, float]:
    """Training loss per step; a later event for the same step (after a resume) wins."""
    return {e["step"]: e["loss"] for e in of_type(events, "metrics") if "loss" in e}
