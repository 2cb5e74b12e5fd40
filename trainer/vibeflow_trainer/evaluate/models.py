"""Loads the base and the tuned model (LoRA adapter on the base, or full weights) with the training chat template.

For adapters one model serves both sides: the base answers with the adapter disabled (`disable_adapter()`),
so only one copy of the weights is in memory. Full fine-tunes load two models. The tokenizer (and its chat
template) comes from the run's output directory — the one training saved — so prompts are rendered exactly
as in training, for the base as well as the tuned model.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vibeflow_trainer.errors import ModelNotFoundError
from vibeflow_trainer.evaluate.spec import EvalSpec
from vibeflow_trainer.models import ResolvedModel, resolve_base_model
from vibeflow_trainer.templates import DEFAULT_CHAT_TEMPLATE


@dataclass
class ModelPair:
    """The tokenizer plus a way to run the base or the tuned model."""

    tokenizer: Any
    device: Any
    kind: str  # "adapter" | "full"
    base_source: str
    is_demo: bool
    chat_template_source: str
    _adapter_model: Any = None
    _base: Any = None
    _tuned: Any = None
    notes: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def use(self, which: str) -> Iterator[Any]:
        """Yield the model answering as `which` ("base" or "tuned")."""
        if self.kind == "adapter":
            if which == "base":
                with self._adapter_model.disable_adapter():
                    yield self._adapter_model
            else:
                yield self._adapter_model
        else:
            yield self._base if which == "base" else self._tuned


def pick_device(requested: str) -> Any:
    import torch

    if requested == "cuda" or (requested == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    return torch.device("cpu")


def _dtype(device: Any) -> Any:
    import torch

    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def _resolve_base(spec: EvalSpec, tuned: Path) -> ResolvedModel:
    """Prefer the exact base the adapter was trained on (adapter_config.json) when it is a local directory."""
    config = tuned / "adapter_config.json"
    if config.is_file():
        try:
            recorded = json.loads(config.read_text(encoding="utf-8")).get("base_model_name_or_path")
        except ValueError:
            recorded = None
        if recorded and (Path(recorded) / "config.json").is_file():
            return ResolvedModel(
                spec.base_model, str(Path(recorded).resolve()), _is_demo(Path(recorded)), True
            )
    return resolve_base_model(spec.base_model)


def _is_demo(path: Path) -> bool:
    try:
        return "vibeflow_demo" in json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def _manifest(tuned: Path) -> dict[str, Any]:
    """The trainer's manifest.json of the run (method, chat format), or {}."""
    try:
        data = json.loads((tuned / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_tokenizer_for_eval(tuned: Path, base: ResolvedModel) -> tuple[Any, str]:
    """The tokenizer saved with the run (its chat template is the training one); the base's as a fallback."""
    from transformers import AutoTokenizer

    if (tuned / "tokenizer_config.json").is_file():
        tokenizer, source = AutoTokenizer.from_pretrained(str(tuned)), "run output (as trained)"
    else:
        tokenizer = AutoTokenizer.from_pretrained(base.source, local_files_only=base.local_files_only)
        source = "base model"
    if not tokenizer.chat_template:
        tokenizer.chat_template = DEFAULT_CHAT_TEMPLATE
        source += ", VibeFlow default template"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer, source


def load_pair(spec: EvalSpec) -> ModelPair:
    """Load everything on the chosen device in inference mode."""
    import torch
    from transformers import AutoModelForCausalLM

    tuned = Path(spec.tuned_path)
    is_adapter = (tuned / "adapter_config.json").is_file()
    if not is_adapter and not (tuned / "config.json").is_file():
        raise ModelNotFoundError(
            f"{tuned} holds neither an adapter (adapter_config.json) nor a model (config.json)",
            "evaluate a completed run: its output directory gets the adapter or model when training ends",
        )
    base = _resolve_base(spec, tuned)
    device = pick_device(spec.device)
    dtype = _dtype(device)
    tokenizer, template_source = load_tokenizer_for_eval(tuned, base)

    def load(source: str, local_only: bool) -> Any:
        try:
            model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype, local_files_only=local_only)
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(
                f"cannot load model {source}: {exc}", "check that the files exist"
            ) from exc
        return model.to(device).eval()

    base_model = load(base.source, base.local_files_only)
    pair = ModelPair(
        tokenizer=tokenizer,
        device=device,
        kind="adapter" if is_adapter else "full",
        base_source=base.source,
        is_demo=base.is_demo or _is_demo(Path(base.source)),
        chat_template_source=template_source,
    )
    chat_format = _manifest(tuned).get("chat_format")
    if chat_format:
        pair.chat_template_source += f", trained with chat_format {chat_format}"
    if is_adapter:
        from peft import PeftModel

        pair._adapter_model = PeftModel.from_pretrained(base_model, str(tuned)).to(device).eval()
        if device.type == "cpu" and _manifest(tuned).get("spec", {}).get("method") == "qlora":
            pair.notes.append("on CPU the QLoRA adapter is applied to the unquantised (fp32) base")
    else:
        pair._base = base_model
        pair._tuned = load(str(tuned), True)
    torch.set_grad_enabled(False)
    return pair
