"""Multi-GPU launch: node layout, the accelerate/FSDP command wired by SkyPilot's env vars, rank-0-only events."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from vibeflow.cloud.distributed import launch_command, node_layout


def test_node_layout() -> None:
    assert node_layout(1) == (1, 1) and node_layout(8) == (1, 8) and node_layout(12) == (2, 6)
    with pytest.raises(ValueError):
        node_layout(9)  # 9 GPUs do not split evenly over 2 nodes


def test_single_gpu_runs_the_trainer_directly() -> None:
    assert shlex.split(launch_command("/vibeflow/data/spec.json", 1)) == [
        "python", "-m", "vibeflow_trainer", "run", "/vibeflow/data/spec.json", "--resume", "auto",
    ]  # fmt: skip


def test_multi_gpu_command_expands_skypilot_variables_into_accelerate_arguments(tmp_path: Path) -> None:
    """Run the generated shell with SkyPilot's variables for node 1 of 2 and a stand-in `python` that prints
    its argv: the ranks, addresses and FSDP flags must come out right."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nprintf '%s\\n' \"$@\"\n")
    fake.chmod(0o755)
    script = launch_command("/vibeflow/data/spec.json", 16, python=str(fake))
    env = {
        **os.environ,
        "SKYPILOT_NODE_RANK": "1",
        "SKYPILOT_NUM_NODES": "2",
        "SKYPILOT_NUM_GPUS_PER_NODE": "8",
        "SKYPILOT_NODE_IPS": "10.0.0.5\n10.0.0.6",
    }
    argv = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    flag = {argv[i]: argv[i + 1] for i in range(len(argv) - 1) if argv[i].startswith("--")}
    assert argv[:2] == ["-m", "accelerate.commands.launch"]
    assert flag["--num_machines"] == "2" and flag["--num_processes"] == "16" and flag["--machine_rank"] == "1"
    assert flag["--main_process_ip"] == "10.0.0.5" and flag["--fsdp_sharding_strategy"] == "FULL_SHARD"
    assert "--use_fsdp" in argv and flag["--fsdp_use_orig_params"] == "true"
    tail = argv[argv.index("vibeflow_trainer.rank_launch") - 1 :]
    assert tail[:6] == [
        "-m",
        "vibeflow_trainer.rank_launch",
        "run",
        "/vibeflow/data/spec.json",
        "--resume",
        "auto",
    ]


def test_qlora_skips_fsdp() -> None:
    assert "--use_fsdp" not in launch_command("/s.json", 2, method="qlora")


@pytest.mark.parametrize(("rank", "expect_events"), [("0", True), ("1", False)])
def test_only_rank_zero_writes_events(tmp_path: Path, rank: str, expect_events: bool) -> None:
    code = (
        "import sys, pathlib\n"
        "from vibeflow_trainer import rank_launch\n"
        "if rank_launch.global_rank() != 0: rank_launch.silence_events()\n"
        "from vibeflow_trainer.events import EventWriter\n"
        f"w = EventWriter(pathlib.Path({str(tmp_path / 'events.jsonl')!r}), 'r1')\n"
        "e = w.emit('stage', stage='training'); w.close()\n"
        "print('SEQ', e['seq'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "RANK": rank},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    journal = tmp_path / "events.jsonl"
    assert ("@@vibeflow@@" in out) is expect_events and "SEQ 1" in out
    assert (journal.exists() and json.loads(journal.read_text())["seq"] == 1) is expect_events
