"""Preemption recovery end to end on this machine: the REAL trainer (demo base) is SIGKILLed after a checkpoint,
relaunched with `--resume auto` against the same output directory (what the checkpoint bucket is on the
cloud), and its output, wrapped as SkyPilot streams it, goes through the same log parser as a cloud run."""

from __future__ import annotations

import importlib.util
import json

import pytest
from tests.cloud.recording import record

from vibeflow.cloud.logs import ManagedJobLog

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("vibeflow_trainer.engine") is None,
        reason="the trainer package is not installed",
    ),
]


def test_killed_trainer_resumes_from_its_checkpoint_and_the_curve_continues(tmp_path) -> None:  # noqa: ANN001
    log_lines, (first, second), output_dir = record(
        tmp_path / "rec", max_steps=5, checkpoint_every=2, rows=32
    )
    parser, events = ManagedJobLog(), []
    for line in log_lines:
        events += [item for kind, item in parser.feed(line, 0.0) if kind == "event"]
    assert parser.summary() == "interrupted 1×, resumed" and parser.state.finished == "SUCCEEDED"

    checkpoint = next(e["step"] for e in events if e["type"] == "checkpoint")
    attempt1, attempt2 = (
        {e["step"]: e["loss"] for e in events if e["type"] == "metrics" and e["seq"] in seqs}
        for seqs in (
            {e["seq"] for e in events[: len([x for x in first if "@@vibeflow@@" in x])]},
            {e["seq"] for e in events[len([x for x in first if "@@vibeflow@@" in x]) :]},
        )
    )
    assert min(attempt2) == checkpoint + 1, "the resumed node starts after the checkpoint, not at step 1"
    assert max(attempt1) == checkpoint + 1  # the killed node had got one step further (lost, then redone)
    assert attempt2[checkpoint + 1] == pytest.approx(
        attempt1[checkpoint + 1], rel=1e-4
    )  # same state restored
    training = [e for e in events if e["type"] == "stage" and e["stage"] == "training"]
    assert training[-1]["detail"]["start_step"] == checkpoint
    journal = [json.loads(line) for line in (output_dir / "events.jsonl").read_text().splitlines() if line]
    assert journal[-1]["stage"] == "completed" and (output_dir / "adapter_model.safetensors").exists()
