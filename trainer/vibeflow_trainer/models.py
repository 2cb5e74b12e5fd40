"""Finds the base model (packaged id, local directory or Hub id, offline-aware) and loads it for each method."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from vibeflow_trainer.assets_paths import DEMO_MODEL_ID, SMOLLM2_ID
from vibeflow_trainer.errors import ModelNotFoundError
from vibeflow_trainer.spec import RunSpec

_TRUE = ("1", "true", "yes", "on")
_OFFLINE_FIX = (
    f"use a local model directory as base_model, or the offline default '{SMOLLM2_ID}'; with network access, "
    "any Hugging Face model id works"
)


@dataclass(frozen=True)
class ResolvedModel:
    """Where from_pretrained should read the base model."""

    name: str  # as written in the spec
    source: str  # local directory or Hub id
    is_demo: bool
    local_files_only: bool


def _offline() -> bool:
    return any(os.environ.get(v, "").lower() in _TRUE for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _hub_reachable(timeout: float = 3.0) -> bool:
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", endpoint.port or 443), timeout):
            return True
    except OSError:
        return False


def resolve_base_model(name: str) -> ResolvedModel:
    """Resolve without loading; unknown ids offline raise ModelNotFoundError instead of retrying for minutes."""
    if name == DEMO_MODEL_ID:
        from vibeflow_trainer.demo_model import ensure_demo_model

        return ResolvedModel(name, str(ensure_demo_model()), True, True)
    if name == SMOLLM2_ID:
        from vibeflow_trainer.smollm2 import ensure_smollm2_model

        return ResolvedModel(name, str(ensure_smollm2_model()), False, True)
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelNotFoundError(
                f"{path} is not a model directory (no config.json)",
                "point base_model at a directory saved with save_pretrained (config.json + weights + tokenizer)",
            )
        return ResolvedModel(name, str(path.resolve()), False, True)
    if name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise ModelNotFoundError(f"local model directory {name} does not exist", "check the base_model path")
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(name, "config.json")
    except Exception:  # noqa: BLE001 - an invalid repo id is simply "not cached"
        cached = None
    if isinstance(cached, str):
        return ResolvedModel(name, name, False, True)
    if _offline() or not _hub_reachable():
        raise ModelNotFoundError(
            f"model {name} is not available offline; use a local path or the offline default base",
            _OFFLINE_FIX,
        )
    return ResolvedModel(name, name, False, False)


def _hub_error(resolved: ResolvedModel, exc: Exception) -> ModelNotFoundError:
    kind = type(exc).__name__
    if "Gated" in kind or "401" in str(exc) or "403" in str(exc):
        return ModelNotFoundError(
            f"model {resolved.name} is gated or private: {exc}",
            "accept the model licence on huggingface.co and set HF_TOKEN, or pick another base model",
        )
    return ModelNotFoundError(
        f"model {resolved.name} could not be loaded: {exc}",
        "check the model id spelling, or use a local path or the offline default base",
    )


def load_tokenizer(resolved: ResolvedModel) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(resolved.source, local_files_only=resolved.local_files_only)
    except (OSError, ValueError) as exc:
        raise _hub_error(resolved, exc) from exc


def load_model(resolved: ResolvedModel, spec: RunSpec, precision: str) -> Any:
    """Load the base model: fp32 master weights for full/CPU, half precision base for LoRA on GPU, NF4 for QLoRA."""
    import torch
    from transformers import AutoModelForCausalLM

    half = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    kwargs: dict[str, Any] = {"local_files_only": resolved.local_files_only, "dtype": torch.float32}
    if spec.method == "qlora":
        from transformers import BitsAndBytesConfig

        compute = half or torch.bfloat16
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute,
        )
        kwargs["dtype"] = compute
        kwargs["device_map"] = {"": torch.cuda.current_device()}
    elif spec.method == "lora" and half is not None and torch.cuda.is_available():
        kwargs["dtype"] = half  # the frozen base can live in half precision; adapters stay fp32
    try:
        model = AutoModelForCausalLM.from_pretrained(resolved.source, **kwargs)
    except (OSError, ValueError) as exc:
        raise _hub_error(resolved, exc) from exc
    if spec.method == "qlora":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=use_gradient_checkpointing(spec)
        )
    return model


def use_gradient_checkpointing(spec: RunSpec) -> bool:
    if isinstance(spec.gradient_checkpointing, bool):
        return spec.gradient_checkpointing
    import torch

    return bool(torch.cuda.is_available())


def lora_config(spec: RunSpec) -> Any:
    """LoRA over every linear layer but the LM head by default ('auto' = peft's 'all-linear', as in QLoRA)."""
    from peft import LoraConfig

    targets = spec.lora_target_modules
    return LoraConfig(
        task_type="CAUSAL_LM",
        r=spec.lora_r,
        lora_alpha=spec.lora_alpha,
        lora_dropout=spec.lora_dropout,
        target_modules="all-linear" if targets in ("auto", "all-linear") else list(targets),
        bias="none",
    )
