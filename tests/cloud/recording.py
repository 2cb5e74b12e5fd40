"""Records what `sky jobs logs` shows for a spot run that is preempted once: the REAL trainer, killed and resumed.

Attempt 1 of `python -m vibeflow_trainer run spec --resume auto` is SIGKILLed after its first checkpoint (what
a preempted node looks like from inside); attempt 2 resumes against the same output directory (the checkpoint
bucket). Their stdout is wrapped the way SkyPilot streams a managed job: its own status lines, the setup and
task prefixes, the preemption notice between the attempts. `python -m tests.cloud.recording OUT.log` rewrites
the recorded fixture (tests/cloud/fixtures/managed_job_preempted.log).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

JOB_ID = 7
TASK = "vibeflow-support-bot-1a2b3c"


def make_spec(folder: Path, *, max_steps: int = 8, checkpoint_every: int = 3, rows: int = 64) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "vibeflow_trainer",
            "demo-data",
            str(folder / "train.jsonl"),
            "--rows",
            str(rows),
        ],
        check=True,
        capture_output=True,
    )
    spec = {
        "train_path": "train.jsonl",
        "output_dir": "run",
        "run_id": "support-bot-1a2b3c",
        "max_steps": max_steps,
        "batch_size": 4,
        "learning_rate": 2e-3,
        "max_seq_length": 128,
        "checkpoint_every": checkpoint_every,
        "gradient_stats_every": 0,
        "seed": 7,
    }
    path = folder / "spec.json"
    path.write_text(json.dumps(spec))
    return path


def run_attempt(spec: Path, *, kill_after_checkpoint: bool, timeout: float = 240) -> tuple[list[str], int]:
    """One node attempt; returns (stdout lines, exit code). With the flag: SIGKILL once a checkpoint is out
    and a later step has been logged (so the resumed attempt re-emits steps after the checkpoint)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "vibeflow_trainer", "run", str(spec), "--resume", "auto"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    checkpoint_step = None
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if "@@vibeflow@@ " in line:
            event = json.loads(line.split("@@vibeflow@@ ", 1)[1])
            if event["type"] == "checkpoint" and checkpoint_step is None:
                checkpoint_step = event["step"]
            if (
                kill_after_checkpoint
                and checkpoint_step is not None
                and event["type"] == "metrics"
                and event.get("step", 0) > checkpoint_step
            ):
                os.killpg(process.pid, signal.SIGKILL)
                break
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            raise TimeoutError("trainer attempt took too long")
    return lines, process.wait()


def managed_job_log(attempts: list[list[str]], pid0: int = 2817) -> list[str]:
    """Wrap attempts' stdout in SkyPilot's managed-job log stream (its wording, ANSI colours included)."""
    dim, reset, yellow = "\x1b[2m", "\x1b[0m", "\x1b[33m"
    out = [
        f"{dim}├── {reset}Waiting for task to start. It may take a few minutes.",
        f"  {dim}View controller logs: sky jobs logs --controller {JOB_ID}{reset}",
    ]
    for index, lines in enumerate(attempts):
        pid = pid0 + 1000 * index
        out += [
            f"{dim}├── {reset}Running setup on 1 node.",
            f"(setup pid={pid - 20}) Successfully installed accelerate peft torch transformers trl",
            f"{dim}└── {reset}Job started. Streaming logs... {dim}(Ctrl-C to exit log streaming; job will not be killed){reset}",
        ]  # fmt: skip
        out += [f"({TASK}, pid={pid}) {line}" for line in lines]
        if index < len(attempts) - 1:
            out += [
                f"{yellow}The job cluster is preempted or failed.{reset}",
                f"{dim}├── {reset}Waiting for task status to be updated. It may take a minute.",
                f"{dim}├── {reset}Waiting for task to start. It may take a few minutes.",
            ]
    out.append(f"{dim}└── {reset}Managed job {JOB_ID} finished (status: SUCCEEDED).")
    return out


def bucket_journal(log_lines: list[str]) -> list[str]:
    """The events.jsonl the checkpoint bucket holds at the end of a recorded job, as JSON lines.

    The trainer writes each event to its journal before printing it, and a resumed attempt numbers its events
    after the journal's last seq. So the bucket holds every event of the last attempt, and of each earlier
    attempt the events below the seq the next attempt started from; the rest of an earlier attempt (printed,
    but its journal lines never reached the bucket before the node died) exists only in the log.
    """
    attempts: list[list[dict]] = [[]]
    for line in log_lines:
        if "preempted or failed" in line:
            attempts.append([])
        elif "@@vibeflow@@ " in line:
            attempts[-1].append(json.loads(line.split("@@vibeflow@@ ", 1)[1]))
    kept = []
    for index, events in enumerate(attempts):
        upto = attempts[index + 1][0]["seq"] if index + 1 < len(attempts) else None
        kept += [e for e in events if upto is None or e["seq"] < upto]
    return [json.dumps(e, separators=(",", ":")) for e in kept]


def record(folder: Path, **spec_args: int) -> tuple[list[str], list[list[str]], Path]:
    spec = make_spec(folder, **spec_args)
    first, code = run_attempt(spec, kill_after_checkpoint=True)
    assert code == -signal.SIGKILL, code
    second, code = run_attempt(spec, kill_after_checkpoint=False)
    assert code == 0, "\n".join(second[-20:])
    return managed_job_log([first, second]), [first, second], folder / "run"


if __name__ == "__main__":
    import tempfile

    target = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("VIBEFLOW_HOME", tmp)
        log, _, _ = record(Path(tmp) / "rec")
    target.write_text("\n".join(log) + "\n")
    print(f"wrote {target} ({len(log)} lines)")
