"""Kill -9 mid-run, resume with --resume auto: the loss curve continues exactly as an uninterrupted run."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import numpy as np
from tests.trainer.conftest import journal, losses_by_step, of_type, popen_cli, run_cli, stages

STEPS = 12
CHECKPOINT_EVERY = 4


def _spec(make_spec, name: str, out: Path) -> Path:
    return make_spec(
        name,
        output_dir=str(out),
        max_steps=STEPS,
        checkpoint_every=CHECKPOINT_EVERY,
        keep_checkpoints=2,
        lora_dropout=0.1,  # dropout makes the test sensitive to RNG-state restoration
        gradient_stats_every=3,
    )


def test_kill_then_resume_continues_the_same_loss_curve(make_spec, tmp_path: Path) -> None:
    reference_out, resumed_out = tmp_path / "reference", tmp_path / "resumed"
    reference = run_cli("run", str(_spec(make_spec, "a.json", reference_out)))
    assert reference.returncode == 0, reference.stderr[-3000:]
    expected = losses_by_step(journal(reference_out))
    assert sorted(expected) == list(range(1, STEPS + 1))

    proc = popen_cli("run", str(_spec(make_spec, "b.json", resumed_out)))
    killed_after = None
    assert proc.stdout is not None
    for line in proc.stdout:  # kill -9 two steps after the first checkpoint
        if '"type":"metrics"' in line and '"loss"' in line:
            step = json.loads(line.split(" ", 1)[1])["step"]
            if step >= CHECKPOINT_EVERY + 2:
                proc.send_signal(signal.SIGKILL)
                killed_after = step
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert killed_after is not None and killed_after < STEPS
    before = journal(resumed_out)
    assert "completed" not in stages(before)
    checkpoints = of_type(before, "checkpoint")
    assert checkpoints and checkpoints[-1]["step"] == CHECKPOINT_EVERY

    resumed = run_cli("run", str(_spec(make_spec, "b.json", resumed_out)), "--resume", "auto")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after = journal(resumed_out)
    training = [e for e in of_type(after, "stage") if e["stage"] == "training"]
    assert training[-1]["detail"]["start_step"] == CHECKPOINT_EVERY
    got = losses_by_step(after)
    steps = list(range(CHECKPOINT_EVERY + 1, STEPS + 1))
    np.testing.assert_allclose([got[s] for s in steps], [expected[s] for s in steps], rtol=1e-4)
    # The curve is not flat, so matching it is meaningful.
    assert expected[STEPS] < expected[1]
    # seq continues across the kill: strictly increasing over the whole journal.
    seqs = [e["seq"] for e in after]
    assert seqs == sorted(set(seqs))
    # metrics.csv holds each step once, despite the replayed steps.
    csv_steps = [
        int(line.split(",")[0]) for line in (resumed_out / "metrics.csv").read_text().splitlines()[1:]
    ]
    assert csv_steps == list(range(1, STEPS + 1))
