"""Turns a run (its frozen spec and recipe) into a SkyPilot task YAML kept in the run directory.

Layout on the node: `/vibeflow/data` (uploaded: datasets + the remote spec), `/vibeflow/trainer` (uploaded:
the trainer package source), `/vibeflow/run` (a bucket mounted MOUNT_CACHED: checkpoints, events.jsonl and
outputs, so a node that replaces a preempted one resumes from the last checkpoint). Secrets are declared
with null values and passed at launch with `--secret NAME` from the user's environment: never in the YAML.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from vibeflow.cloud.distributed import launch_command, node_layout
from vibeflow.cloud.errors import CloudError

TASK_NAME = "sky-task.yaml"
STAGE_DIR = "cloud"
REMOTE_DATA = "/vibeflow/data"
REMOTE_TRAINER = "/vibeflow/trainer"
REMOTE_RUN = "/vibeflow/run"
SECRETS = ("HF_TOKEN",)
# The trainer's runtime dependencies, pinned to the versions this backend was tested with.
PINNED = ("torch", "transformers", "peft", "trl", "datasets", "accelerate", "safetensors", "pyarrow")
CUDA_ONLY = ("bitsandbytes",)
# Our GPU ids -> SkyPilot accelerator names.
SKY_ACCELERATORS = {"A100-40GB": "A100", "H100-80GB": "H100"}
STORES = {"aws": "s3", "gcp": "gcs", "azure": "azure"}


@dataclass
class CloudSpec:
    """What the task asks for (from the recipe's `compute:` and `budget:` blocks)."""

    gpu: str
    gpu_count: int = 1
    spot: bool = True
    cloud: str | None = None
    region: str | None = None
    disk_gb: int = 256
    max_cost_usd: float | None = None

    @classmethod
    def from_recipe(cls, recipe: dict[str, Any]) -> CloudSpec:
        compute = recipe.get("compute") or {}
        if not compute.get("gpu"):
            raise CloudError(
                "compute.gpu is empty: a cloud run needs a GPU type",
                fix="set compute.gpu in vibeflow.yaml, e.g. A100-80GB, L4, H100 (see `vibeflow cloud plan`)",
                kind="invalid_task",
            )
        return cls(
            gpu=compute["gpu"],
            gpu_count=int(compute.get("gpu_count") or 1),
            spot=bool(compute.get("spot", True)),
            cloud=compute.get("cloud"),
            region=compute.get("region"),
            max_cost_usd=(recipe.get("budget") or {}).get("max_cost_usd"),
        )

    @property
    def accelerator(self) -> str:
        return SKY_ACCELERATORS.get(self.gpu, self.gpu)


def bucket_name(run_id: str) -> str:
    """A globally-unique-enough, rule-abiding bucket name (3-63 chars, lowercase, digits, dashes)."""
    return ("vibeflow-" + re.sub(r"[^a-z0-9-]+", "-", run_id.lower())).strip("-")[:63]


def pinned_requirements(method: str) -> list[str]:
    pins = []
    for name in PINNED + (CUDA_ONLY if method == "qlora" else ()):
        try:
            version = metadata.version(name).split("+")[0]  # 2.13.0+cpu -> 2.13.0: the CUDA wheel of the same
        except metadata.PackageNotFoundError:
            pins.append(name)
            continue
        pins.append(f"{name}=={version}")
    return pins


def trainer_source() -> Path:
    """The directory that holds the `vibeflow_trainer` package (uploaded to the node)."""
    import importlib.util

    found = importlib.util.find_spec("vibeflow_trainer")
    if found is None or not found.origin:
        raise CloudError(
            "the trainer package (vibeflow_trainer) is not installed here, so it cannot be uploaded",
            fix="install the trainer: pip install -e '.[trainer]'",
            kind="invalid_task",
        )
    return Path(found.origin).parent.parent


def remote_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The run spec with node paths: datasets under /vibeflow/data, outputs in the bucket."""
    out = dict(spec)
    out["train_path"] = f"{REMOTE_DATA}/{Path(spec['train_path']).name}"
    if spec.get("eval_path"):
        out["eval_path"] = f"{REMOTE_DATA}/eval-{Path(spec['eval_path']).name}"
    out["output_dir"] = REMOTE_RUN
    return out


def stage(run_dir: Path, spec: dict[str, Any]) -> Path:
    """Copy datasets and the remote spec into RUN_DIR/cloud/data (the upload); returns that folder."""
    data = run_dir / STAGE_DIR / "data"
    data.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spec["train_path"], data / Path(spec["train_path"]).name)
    if spec.get("eval_path"):
        shutil.copyfile(spec["eval_path"], data / f"eval-{Path(spec['eval_path']).name}")
    (data / "spec.json").write_text(json.dumps(remote_spec(spec), indent=2))
    return data


def build_task(
    run_id: str,
    spec: dict[str, Any],
    want: CloudSpec,
    *,
    data_dir: Path,
    trainer_dir: Path | None = None,
    method: str = "lora",
) -> dict[str, Any]:
    """The SkyPilot task as a dict (what `sky.Task.from_yaml_config` reads)."""
    try:
        nodes, per_node = node_layout(want.gpu_count)
    except ValueError as error:
        raise CloudError(
            str(error), fix="set compute.gpu_count to 1-8, or 16", kind="invalid_task"
        ) from error
    resources: dict[str, Any] = {
        "accelerators": f"{want.accelerator}:{per_node}",
        "use_spot": want.spot,
        "disk_size": want.disk_gb,
    }
    if want.cloud:
        resources["infra"] = want.cloud + (f"/{want.region}" if want.region else "")
    elif want.region:
        resources["infra"] = f"*/{want.region}"
    if want.spot:
        # managed jobs: on preemption SkyPilot relaunches (other zones/regions first); a user error is not retried
        resources["job_recovery"] = {"strategy": "EAGER_NEXT_REGION", "max_restarts_on_errors": 0}
    bucket: dict[str, Any] = {"name": bucket_name(run_id), "mode": "MOUNT_CACHED", "persistent": True}
    if want.cloud in STORES:
        bucket["store"] = STORES[want.cloud]
    pins = " ".join(f"'{p}'" for p in pinned_requirements(method))
    return {
        "name": f"vibeflow-{run_id}",
        "num_nodes": nodes,
        "resources": resources,
        "envs": {
            "VIBEFLOW_RUN_ID": run_id,
            "PYTHONPATH": REMOTE_TRAINER,
            "PYTHONUNBUFFERED": "1",
            "HF_HUB_ENABLE_HF_TRANSFER": "0",
        },
        "secrets": dict.fromkeys(SECRETS),
        "file_mounts": {
            REMOTE_DATA: str(data_dir),
            REMOTE_TRAINER: str(trainer_dir or trainer_source()),
            REMOTE_RUN: bucket,
        },
        "setup": f"set -e\npython -m pip install -q --upgrade pip\npython -m pip install -q {pins}\n",
        "run": "set -e\n" + launch_command(f"{REMOTE_DATA}/spec.json", want.gpu_count, method=method) + "\n",
    }


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (setup, run) as literal blocks, so the YAML reads like a hand-written task."""


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(str, _str)


def dump(task: dict[str, Any]) -> str:
    return yaml.dump(task, Dumper=_Dumper, sort_keys=False, width=1000)


def write_task(run_dir: Path, task: dict[str, Any]) -> Path:
    """RUN_DIR/sky-task.yaml with a header saying how to use it by hand."""
    path = run_dir / TASK_NAME
    header = (
        "# SkyPilot task generated by VibeFlow for this run. Re-run it by hand with:\n"
        f"#   sky jobs launch {path.name} --secret HF_TOKEN    (spot, managed: recovers from preemption)\n"
        f"#   sky launch {path.name} --secret HF_TOKEN         (on-demand cluster)\n"
        "# Secrets are declared without values: SkyPilot takes them from your environment at launch.\n"
    )
    path.write_text(header + dump(task))
    return path


def task_for_run(run_dir: Path, run_id: str, spec: dict[str, Any], recipe: dict[str, Any]) -> Path:
    """Stage the upload and write the task YAML of a run; returns the YAML path."""
    want = CloudSpec.from_recipe(recipe)
    data_dir = stage(run_dir, spec)
    task = build_task(run_id, spec, want, data_dir=data_dir, method=recipe.get("method", "lora"))
    return write_task(run_dir, task)
