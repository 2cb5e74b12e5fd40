"""What a deployment needs from a training run: its adapter directory, the base model it was trained on, and a
served name derived from the run; plus a free port for engines that need one up front."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vibeflow.errors import ConfigError


def engine_port() -> int:
    from vibeflow.serving.process import free_port

    return free_port()


def slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text.strip().lower()).strip("-")
    if not out:
        raise ConfigError("a deployment needs a name", fix="pass --name my-model")
    return out[:80]


def adapter_dir(run: Any) -> Any:
    if run.status != "completed":
        raise ConfigError(
            f"run {run.id} is {run.status}; only completed runs can be deployed",
            fix=f"wait for it (`vibeflow runs logs {run.id} -f`) or resume it",
        )
    for candidate in (run.adapter_path, run.output_dir):
        if candidate and (Path(candidate) / "adapter_config.json").is_file():
            return Path(candidate)
    raise ConfigError(
        f"run {run.id} has no LoRA adapter in {run.output_dir} (a full fine-tune, or the files were removed)",
        fix="deployments serve LoRA/QLoRA adapters; a full fine-tune's output directory is already a complete "
        "model: load it with transformers (AutoModelForCausalLM.from_pretrained) or `vllm serve DIR`",
    )


def base_of(adapter: Any) -> str:
    try:
        return json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"]
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"cannot read {adapter}/adapter_config.json: {exc}", fix="re-run the training"
        ) from exc
