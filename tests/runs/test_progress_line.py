"""`vibeflow train`'s progress line carries loss, tokens/s, the live cost and the ETA."""

from __future__ import annotations

import pytest

from vibeflow.cli.runs_exec import Progress


def test_plain_progress_lines_show_throughput_and_cost(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(True)
    progress.tty = False
    progress.usd_per_hour = 3.6
    for step in range(1, 11):
        progress.event(
            {"type": "metrics", "step": step, "max_steps": 10, "loss": 2.0 - step / 10, "tokens_per_s": 180.0, "eta_s": 10 - step}
        )  # fmt: skip
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("  step")]
    assert lines[0].startswith("  step 1/10: loss 1.9, 180 tok/s, $0.00 so far, ETA 0:09")
    assert lines[-1].startswith("  step 10/10: loss 1, 180 tok/s, $0.00 so far") and "ETA" not in lines[-1]
