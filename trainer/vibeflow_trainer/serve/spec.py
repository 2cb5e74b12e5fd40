"""The engine spec the backend writes (JSON): base model, adapters by served name, socket and limits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vibeflow_trainer.errors import InvalidSpecError


@dataclass
class EngineSpec:
    """What one engine process serves: a base model and any number of LoRA adapters, each under its own name."""

    base_model: str
    adapters: dict[str, str] = field(default_factory=dict)
    served_base_name: str | None = None  # serve the bare base under this name too (None: adapters only)
    host: str = "127.0.0.1"
    port: int = 0
    ready_file: str | None = None
    chat_template: str | None = None  # override (text or path); default: the adapter's saved template
    max_loras: int = 8
    max_new_tokens: int = 256
    max_model_len: int | None = None
    threads: int | None = None

    @property
    def model_names(self) -> list[str]:
        names = list(self.adapters)
        if self.served_base_name:
            names.insert(0, self.served_base_name)
        return names


def load_engine_spec(path: str | Path) -> EngineSpec:
    """Read and check an engine spec; every problem is an InvalidSpecError naming the field."""
    file = Path(path)
    try:
        raw: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidSpecError(
            f"cannot read engine spec {file}: {exc}", "pass the JSON the backend wrote"
        ) from exc
    known = set(EngineSpec.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidSpecError(
            f"unknown engine spec fields: {', '.join(unknown)}", f"allowed: {sorted(known)}"
        )
    if not raw.get("base_model"):
        raise InvalidSpecError(
            "engine spec has no base_model", "set base_model to a path, Hub id or vibeflow-demo-tiny"
        )
    spec = EngineSpec(**raw)
    for name, adapter in spec.adapters.items():
        if not (Path(adapter) / "adapter_config.json").is_file():
            raise InvalidSpecError(
                f"adapter {name!r}: {adapter} has no adapter_config.json",
                "point the adapter at a finished LoRA run's output directory",
            )
    if not spec.model_names:
        raise InvalidSpecError("engine spec serves nothing", "add an adapter or set served_base_name")
    if len(spec.adapters) > spec.max_loras:
        raise InvalidSpecError(
            f"{len(spec.adapters)} adapters exceed max_loras {spec.max_loras}", "raise max_loras"
        )
    return spec
