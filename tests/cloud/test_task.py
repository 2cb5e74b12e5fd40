"""Generated SkyPilot tasks, parsed and validated by SkyPilot itself in its own venv (`sky.Task.from_yaml`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from vibeflow.cloud.env import run_runner
from vibeflow.cloud.errors import CloudError
from vibeflow.cloud.serve import serve_task, service_name, write_serve_task
from vibeflow.cloud.task import REMOTE_RUN, bucket_name, task_for_run


def _run_dir(tmp_path: Path) -> tuple[Path, dict]:
    data = tmp_path / "cas"
    data.mkdir()
    (data / "abc.parquet").write_bytes(b"PAR1")
    (data / "def.parquet").write_bytes(b"PAR1")
    run_dir = tmp_path / "runs" / "support-bot-1a2b3c"
    run_dir.mkdir(parents=True)
    spec = {
        "train_path": str(data / "abc.parquet"),
        "eval_path": str(data / "def.parquet"),
        "output_dir": str(run_dir),
        "run_id": "support-bot-1a2b3c",
        "max_steps": 20,
    }
    return run_dir, spec


def recipe(**compute) -> dict:  # noqa: ANN003
    return {"method": "lora", "compute": {"target": "cloud", "gpu": "A100-80GB", **compute}, "budget": {}}


def test_spot_task_is_valid_for_skypilot_and_keeps_secrets_out(sky_home, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("HF_TOKEN", "hf_secret_value_123")
    run_dir, spec = _run_dir(tmp_path)
    path = task_for_run(
        run_dir, "support-bot-1a2b3c", spec, recipe(spot=True, cloud="aws", region="us-east-1")
    )
    assert path == run_dir / "sky-task.yaml"
    text = path.read_text()
    assert "hf_secret_value_123" not in text
    task = yaml.safe_load(text)
    assert task["secrets"] == {"HF_TOKEN": None}
    assert task["resources"]["accelerators"] == "A100-80GB:1" and task["resources"]["use_spot"] is True
    assert task["resources"]["infra"] == "aws/us-east-1"
    assert task["file_mounts"][REMOTE_RUN]["name"] == bucket_name("support-bot-1a2b3c")
    assert "--resume auto" in task["run"]
    remote = json.loads((run_dir / "cloud" / "data" / "spec.json").read_text())
    assert remote["output_dir"] == REMOTE_RUN and remote["train_path"] == "/vibeflow/data/abc.parquet"
    assert remote["eval_path"] == "/vibeflow/data/eval-def.parquet"

    checked = run_runner("validate", {"yaml_path": str(path)})  # SkyPilot's own parser and schema
    assert checked["name"] == "vibeflow-support-bot-1a2b3c" and checked["num_nodes"] == 1
    (res,) = checked["resources"]
    assert res["cloud"] == "AWS" and res["region"] == "us-east-1" and res["use_spot"] is True
    assert res["accelerators"] == {"A100-80GB": 1}
    assert checked["storage_mounts"] == [REMOTE_RUN]
    assert sorted(checked["file_mounts"]) == ["/vibeflow/data", "/vibeflow/trainer"]


def test_multi_node_task_wires_ranks_from_skypilot_env(sky_home, tmp_path) -> None:  # noqa: ANN001
    run_dir, spec = _run_dir(tmp_path)
    path = task_for_run(run_dir, "big-1", spec, recipe(gpu="H100-80GB", gpu_count=16, spot=False))
    checked = run_runner("validate", {"yaml_path": str(path)})
    assert checked["num_nodes"] == 2
    assert checked["resources"][0]["accelerators"] == {"H100": 8}
    run = checked["run"]
    for var in (
        "$SKYPILOT_NODE_RANK",
        "$SKYPILOT_NUM_NODES",
        "SKYPILOT_NODE_IPS",
        "SKYPILOT_NUM_GPUS_PER_NODE",
    ):
        assert var in run
    assert "vibeflow_trainer.rank_launch" in run and "--use_fsdp" in run


def test_skypilot_rejects_a_broken_task(sky_home, tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nresources:\n  accelerators: A100:1\n  use_spot: maybe\nrun: echo\n")
    with pytest.raises(CloudError) as caught:
        run_runner("validate", {"yaml_path": str(bad)})
    assert caught.value.kind == "invalid_task" and "use_spot" in caught.value.message


def test_missing_gpu_is_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    run_dir, spec = _run_dir(tmp_path)
    with pytest.raises(CloudError) as caught:
        task_for_run(run_dir, "r", spec, {"compute": {"target": "cloud"}})
    assert "compute.gpu" in caught.value.message and "A100-80GB" in caught.value.fix


def test_skyserve_task_for_a_run_validates(sky_home, tmp_path) -> None:  # noqa: ANN001
    adapters = {}
    for name in ("support-bot-v1", "support-bot-v2"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "adapter_config.json").write_text('{"r": 16}')
        adapters[name] = tmp_path / name
    template = tmp_path / "support-bot-v1" / "chat_template.jinja"
    template.write_text("{{ messages }}")
    task = serve_task(
        service_name("Support Bot"),
        "Qwen/Qwen2.5-0.5B-Instruct",
        adapters,
        gpu="L4",
        replicas=2,
        chat_template=template,
    )
    path = write_serve_task(tmp_path / "dep", task)
    checked = run_runner("validate", {"yaml_path": str(path)})
    assert checked["name"] == "vibeflow-support-bot" and checked["service"]["replicas"] == 2
    run = checked["run"]
    assert "vllm serve Qwen/Qwen2.5-0.5B-Instruct --host 0.0.0.0 --port 8000 --enable-lora" in run
    assert (
        "support-bot-v1=/vibeflow/adapters/support-bot-v1 support-bot-v2=/vibeflow/adapters/support-bot-v2"
        in run
    )
    assert (
        "--max-lora-rank 16" in run and "--chat-template /vibeflow/chat_template/chat_template.jinja" in run
    )
    assert '--api-key "$VIBEFLOW_ENGINE_API_KEY"' in run
    declared = yaml.safe_load(path.read_text())["secrets"]
    assert declared == {"HF_TOKEN": None, "VIBEFLOW_ENGINE_API_KEY": None}  # values only at launch
    assert "/vibeflow/adapters/support-bot-v2" in checked["file_mounts"]
    assert checked["resources"][0]["accelerators"] == {"L4": 1}
