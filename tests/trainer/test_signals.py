"""SIGTERM: the run checkpoints at the current step, reports `stopped`, and exits with code 143."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.trainer.conftest import journal, of_type, popen_cli, stages

from vibeflow_trainer.checkpoints import MARKER
from vibeflow_trainer.event_schema import EXIT_STOPPED_SIGTERM


def test_sigterm_saves_a_checkpoint_and_exits_143(make_spec, tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = make_spec(max_steps=500, checkpoint_every=1000, gradient_stats_every=0)
    proc = popen_cli("run", str(spec))
    assert proc.stdout is not None
    for line in proc.stdout:
        if '"type":"metrics"' in line and json.loads(line.split(" ", 1)[1])["step"] >= 3:
            proc.send_signal(signal.SIGTERM)
            break
    proc.stdout.read()
    assert proc.wait(timeout=60) == EXIT_STOPPED_SIGTERM
    events = journal(out)
    assert stages(events)[-1] == "stopped" and "completed" not in stages(events)
    stopped = of_type(events, "stage")[-1]["detail"]
    assert stopped["reason"] == "sigterm" and 3 <= stopped["step"] < 500
    checkpoint = Path(stopped["checkpoint"])
    assert (
        checkpoint.name == f"checkpoint-{stopped['step']}"
    )  # saved at the stop step, not at checkpoint_every
    assert (checkpoint / MARKER).is_file() and (checkpoint / "optimizer.pt").is_file()
    assert of_type(events, "checkpoint")[-1]["path"] == str(checkpoint)
    assert json.loads((out / "manifest.json").read_text())["status"] == "stopped"
