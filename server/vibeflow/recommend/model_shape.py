"""Sizes a model from its own files — config.json plus safetensors headers — in a local folder or the Hugging Face cache.

`local_spec(name)` answers for any `base_model` that is a model directory, or a Hub id whose config.json is in the
Hugging Face cache, with a catalog-shaped `ModelSpec` whose architecture is exact (not guessed from a size in the
name). Results are cached by folder and file modification times: the language server asks on every keystroke.
Nothing here imports torch or transformers, and no weight is ever read (only safetensors' JSON headers).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vibeflow.recommend import model_card
from vibeflow.recommend.errors import ModelDirectoryError
from vibeflow.recommend.safetensors_header import INDEX_NAME, count_parameters

if TYPE_CHECKING:
    from vibeflow.recommend.catalog import ModelSpec

CONFIG = "config.json"
WATCHED = frozenset(
    {
        CONFIG,
        INDEX_NAME,
        "README.md",
        "tokenizer_config.json",
        "chat_template.jinja",
        "chat_template.json",
        "adapter_config.json",
    }
)
REQUIRED = ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size")
ALIASES = {  # names older architectures use for the same numbers (GPT-2, OPT, …)
    "hidden_size": ("n_embd", "d_model"),
    "num_hidden_layers": ("n_layer", "num_layers"),
    "num_attention_heads": ("n_head",),
    "intermediate_size": ("n_inner", "ffn_dim"),
    "max_position_embeddings": ("n_positions", "max_sequence_length", "seq_length"),
}
UNGATED_MLP = frozenset(
    {"gpt2", "gpt_neox", "gptj", "gpt_bigcode", "opt", "bloom", "falcon", "phi", "starcoder2"}
)
GATED_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
UNGATED_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj")
DEFAULT_CONTEXT = 2048
CACHE_SIZE = 64
FIX_FOLDER = (
    "point base_model at the folder that holds the model's config.json and weights (the folder save_pretrained "
    "wrote, or a Hub snapshot folder), or use a catalog id (`vibeflow catalog models`)"
)
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelShape:
    """A model's architecture numbers, parameter count (and its source), licence and chat-template family."""

    label: str
    folder: Path
    model_type: str
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int | None
    intermediate_size: int
    vocab_size: int
    tie_embeddings: bool
    context_length: int
    gated_mlp: bool
    params: int
    params_source: str
    license: str
    chat_template: str
    as_of: str
    notes: tuple[str, ...] = ()


_cache: dict[Path, tuple[tuple[Any, ...], ModelShape | ModelDirectoryError]] = {}


def looks_like_path(name: str) -> bool:
    """True for what can only be a file-system path (absolute, ./, ../, ~), never a Hub id."""
    return (
        name.startswith(("/", "./", "../", "~", ".\\", "..\\"))
        or name in (".", "..")
        or bool(re.match(r"^[A-Za-z]:[\\/]", name))
    )


def hub_snapshot(repo_id: str) -> Path | None:
    """The Hugging Face cache snapshot folder holding `repo_id`'s config.json, or None when it is not cached."""
    if not _REPO_ID.match(repo_id) or "--" in repo_id or ".." in repo_id:
        return None
    try:
        from huggingface_hub import constants

        if not os.path.isdir(os.path.join(constants.HF_HUB_CACHE, "models--" + repo_id.replace("/", "--"))):
            return None  # cheap check first: the lookup below imports more of huggingface_hub
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(repo_id, CONFIG, cache_dir=constants.HF_HUB_CACHE)
    except Exception:  # noqa: BLE001 - no huggingface_hub, or an id it rejects: not cached
        return None
    return Path(found).parent if isinstance(found, str) else None


def model_folder(name: str) -> tuple[Path, bool] | None:
    """(folder, whether it is a Hugging Face cache snapshot) of a model directory or a cached Hub model."""
    raw = name.strip()
    local = Path(raw).expanduser()
    if local.is_dir():
        return local.resolve(), False
    if looks_like_path(raw):
        return None
    snapshot = hub_snapshot(raw)
    return (snapshot, True) if snapshot is not None else None


def _signature(folder: Path) -> tuple[Any, ...]:
    """Modification time and size of every file the shape is read from (a change re-reads the folder)."""
    entries = []
    with os.scandir(folder) as listing:
        for entry in listing:
            if entry.name in WATCHED or entry.name.endswith(".safetensors"):
                try:
                    info = entry.stat()
                except OSError:
                    continue
                entries.append((entry.name, info.st_mtime_ns, info.st_size))
    return (folder.stat().st_mtime_ns, *sorted(entries))


def _field(config: dict[str, Any], key: str) -> Any:
    for name in (key, *ALIASES.get(key, ())):
        if config.get(name) is not None:
            return config[name]
    return None


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _not_a_model(folder: Path, label: str) -> ModelDirectoryError:
    adapter = folder / "adapter_config.json"
    if adapter.is_file():
        try:
            base = json.loads(adapter.read_text(encoding="utf-8")).get("base_model_name_or_path")
        except (OSError, ValueError, AttributeError):
            base = None
        return ModelDirectoryError(
            f"'{label}' is a LoRA adapter, not a base model (adapter_config.json but no config.json)",
            fix=f"set base_model to the model it was trained on{f' ({base})' if base else ''}; "
            "to continue from an adapter, merge it into its base first",
            details={"folder": str(folder), "missing": [CONFIG], "adapter_base": base},
        )
    return ModelDirectoryError(
        f"'{label}' is not a model directory: it has no config.json",
        fix=FIX_FOLDER,
        details={"folder": str(folder), "missing": [CONFIG]},
    )


def _load_config(folder: Path, label: str) -> dict[str, Any]:
    path = folder / CONFIG
    if not path.is_file():
        raise _not_a_model(folder, label)
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelDirectoryError(
            f"cannot read the config.json of '{label}': {error}",
            fix="re-save or re-download the model so config.json is valid JSON, or " + FIX_FOLDER,
            details={"folder": str(folder)},
        ) from error
    if not isinstance(config, dict):
        raise ModelDirectoryError(
            f"the config.json of '{label}' is not a JSON object",
            fix=FIX_FOLDER,
            details={"folder": str(folder)},
        )
    text = config.get("text_config")  # multimodal models keep the language model's numbers here
    return {**config, **text} if isinstance(text, dict) else config


def _params_from_shape(
    d: int, layers: int, q: int, kv: int, f: int, vocab: int, tied: bool, gated: bool
) -> int:
    """Weights of a decoder-only transformer (biases ignored): embeddings, attention, MLP, norms, LM head."""
    per_layer = 2 * d * q + 2 * d * kv + (3 if gated else 2) * d * f + 2 * d
    return vocab * d * (1 if tied else 2) + layers * per_layer + d


def read_shape(folder: Path, label: str) -> ModelShape:
    """Shape of the model in `folder` (uncached); ModelDirectoryError naming what is missing otherwise."""
    config = _load_config(folder, label)
    numbers = {key: _positive(_field(config, key)) for key in REQUIRED}
    model_type = str(config.get("model_type") or "unknown")
    if numbers["intermediate_size"] is None and "n_inner" in config and numbers["hidden_size"]:
        numbers["intermediate_size"] = (
            4 * numbers["hidden_size"]
        )  # GPT-2 style: n_inner null means 4 x hidden
    missing = [key for key, value in numbers.items() if value is None]
    if missing:
        raise ModelDirectoryError(
            f"the config.json of '{label}' has no {', '.join(missing)}: the model's shape cannot be read from it",
            fix="point base_model at a decoder language model (its config.json states hidden_size, "
            "num_hidden_layers, num_attention_heads, intermediate_size and vocab_size), or use a catalog id "
            "(`vibeflow catalog models`)",
            details={"folder": str(folder), "missing": missing, "model_type": model_type},
        )
    d, layers, heads = numbers["hidden_size"], numbers["num_hidden_layers"], numbers["num_attention_heads"]
    f, vocab = numbers["intermediate_size"], numbers["vocab_size"]
    kv_heads = _positive(config.get("num_key_value_heads")) or heads
    head_dim = _positive(config.get("head_dim"))
    head = head_dim or d // heads
    gated = model_type not in UNGATED_MLP
    notes: list[str] = []
    context = _positive(_field(config, "max_position_embeddings"))
    if context is None:
        context = DEFAULT_CONTEXT
        notes.append(f"config.json states no context length: {DEFAULT_CONTEXT} assumed")
    quantized = isinstance(config.get("quantization_config"), dict)
    counted = (
        None if quantized else count_parameters(folder, config.get("torch_dtype") or config.get("dtype"))
    )
    tied = config.get("tie_word_embeddings")
    if not isinstance(
        tied, bool
    ):  # absent: the weights tell (a separate lm_head), else transformers' default
        tied = "lm_head.weight" not in counted.names if counted and counted.names else True
    if counted is not None and counted.params > 0:
        params, source = counted.params, counted.source
    else:
        params = _params_from_shape(d, layers, heads * head, kv_heads * head, f, vocab, tied, gated)
        source = "computed from config.json"
        if quantized:
            notes.append(
                "quantized weights: parameters counted from the architecture, not the packed tensors"
            )
    stamp = date.fromtimestamp((folder / CONFIG).stat().st_mtime).isoformat()
    return ModelShape(
        label=label,
        folder=folder,
        model_type=model_type,
        hidden_size=d,
        num_layers=layers,
        num_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=head_dim,
        intermediate_size=f,
        vocab_size=vocab,
        tie_embeddings=tied,
        context_length=context,
        gated_mlp=gated,
        params=params,
        params_source=source,
        license=model_card.licence(folder),
        chat_template=model_card.chat_template(folder),
        as_of=stamp,
        notes=tuple(notes),
    )


def shape_of(folder: Path, label: str) -> ModelShape:
    """`read_shape`, cached until a file it reads changes (errors are cached the same way)."""
    try:
        signature = _signature(folder)
    except OSError as error:
        raise ModelDirectoryError(
            f"cannot list the model folder '{label}': {error}",
            fix="check that the folder exists and is readable, or " + FIX_FOLDER,
            details={"folder": str(folder)},
        ) from error
    hit = _cache.get(folder)
    if hit is None or hit[0] != signature:
        try:
            result: ModelShape | ModelDirectoryError = read_shape(folder, label)
        except ModelDirectoryError as error:
            result = error
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[folder] = hit = (signature, result)
    result = hit[1]
    if isinstance(result, ModelDirectoryError):
        raise replace(result)  # a fresh exception each time (no traceback piles up on the cached one)
    return result


def local_spec(name: str) -> ModelSpec | None:
    """A catalog-shaped entry for a model directory or a cached Hub model; None when `name` is neither.

    Raises ModelDirectoryError for a folder that is not a model (no config.json, or no shape in it)."""
    found = model_folder(name)
    if found is None:
        return None
    folder, cached = found
    raw = name.strip()
    shape = shape_of(folder, f"{raw} (Hugging Face cache)" if cached else raw)
    from vibeflow.recommend.catalog import ModelSpec

    return ModelSpec(
        id=raw,
        name=raw if cached else (Path(raw).name or raw),
        hf_id=raw,
        family=shape.model_type,
        params_b=shape.params / 1e9,
        hidden_size=shape.hidden_size,
        num_layers=shape.num_layers,
        num_heads=shape.num_heads,
        num_kv_heads=shape.num_kv_heads,
        head_dim=shape.head_dim,
        intermediate_size=shape.intermediate_size,
        vocab_size=shape.vocab_size,
        tie_embeddings=shape.tie_embeddings,
        context_length=shape.context_length,
        license=shape.license,
        commercial_use=model_card.commercial(shape.license),
        chat_template=shape.chat_template,
        good_for=[],
        lora_target_modules=list(GATED_TARGETS if shape.gated_mlp else UNGATED_TARGETS),
        notes=" ".join(
            (f"Read from {shape.label}: {shape.params:,} parameters ({shape.params_source}).", *shape.notes)
        ),
        source=f"{shape.folder / CONFIG}"
        + (f" and {shape.params_source}" if "safetensors" in shape.params_source else ""),
        as_of=shape.as_of,
    )
