"""Loads the model and GPU catalogs (YAML data files) and resolves user-typed names to entries."""

from __future__ import annotations

import difflib
import os
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from vibeflow.recommend.errors import UnknownGPUError, UnknownModelError

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
CPU_ID = "cpu"


class ModelSpec(BaseModel):
    """One base model: architecture numbers for memory/FLOPs, licence and what it is good for."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    hf_id: str
    family: str
    params_b: float = Field(gt=0)
    hidden_size: int = Field(gt=0)
    num_layers: int = Field(gt=0)
    num_heads: int = Field(gt=0)
    num_kv_heads: int = Field(gt=0)
    head_dim: int | None = None
    intermediate_size: int = Field(gt=0)
    vocab_size: int = Field(gt=0)
    tie_embeddings: bool
    context_length: int = Field(gt=0)
    license: str
    commercial_use: bool
    chat_template: str
    good_for: list[str]
    lora_target_modules: list[str]
    gated: bool = False
    demo: bool = False
    packaged: bool = False  # built offline from a PyPI wheel (no download): usable on any machine
    estimated: bool = False
    notes: str = ""
    source: str
    as_of: str

    @property
    def params(self) -> float:
        return self.params_b * 1e9

    @property
    def size_text(self) -> str:
        """The parameter count as people say it: 135M, 1.7B, 70B."""
        if self.params_b < 1:
            return f"{self.params_b * 1000:.0f}M"
        return f"{self.params_b:.3g}B"

    @property
    def head_size(self) -> int:
        return self.head_dim or self.hidden_size // self.num_heads

    @property
    def q_dim(self) -> int:
        return self.num_heads * self.head_size

    @property
    def kv_dim(self) -> int:
        return self.num_kv_heads * self.head_size

    @property
    def embedding_params(self) -> float:
        return float(self.vocab_size * self.hidden_size)

    @property
    def matmul_params(self) -> float:
        """Parameters that take part in matrix multiplies per token (all but the input embedding lookup)."""
        body = self.params - self.embedding_params * (1 if self.tie_embeddings else 2)
        return max(body, 0.0) + self.embedding_params  # + the LM head


class PriceQuote(BaseModel):
    """A provider's list price per GPU-hour (USD) at a date; spot is None when not offered or not known."""

    model_config = ConfigDict(extra="forbid")

    provider: str
    on_demand: float | None = Field(None, ge=0)
    spot: float | None = Field(None, ge=0)
    region: str | None = None
    instance: str | None = None
    source: str
    as_of: str


class GPUSpec(BaseModel):
    """One device: memory, speed, bf16 support and dated prices; `cpu` is this machine."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    arch: str
    memory_gb: float = Field(gt=0)
    memory_bandwidth_gbs: float = Field(gt=0)
    bf16: bool
    peak_tflops: float = Field(gt=0)
    peak_precision: str
    efficiency_vs_a100: float = Field(gt=0, le=2)
    prices: list[PriceQuote] = Field(default_factory=list)
    source: str
    as_of: str
    cuda: bool = True


class StorageRate(BaseModel):
    usd_per_gb_month: float
    source: str
    as_of: str


def _read(name: str) -> dict[str, Any]:
    with (CATALOG_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _sync_demo(entry: dict[str, Any]) -> dict[str, Any]:
    """The demo base's shape as the installed trainer builds it (the YAML values are the fallback)."""
    try:
        import json

        from vibeflow_trainer.assets_paths import DEMO_TOKENIZER_JSON
        from vibeflow_trainer.demo_model import DEMO_SHAPE

        tokenizer = json.loads(DEMO_TOKENIZER_JSON.read_text(encoding="utf-8"))
        vocab = len(
            set(tokenizer["model"]["vocab"].values()) | {t["id"] for t in tokenizer.get("added_tokens", [])}
        )
    except (ImportError, OSError, ValueError, KeyError):
        return entry
    d, layers, f = DEMO_SHAPE["hidden_size"], DEMO_SHAPE["num_hidden_layers"], DEMO_SHAPE["intermediate_size"]
    heads, kv = DEMO_SHAPE["num_attention_heads"], DEMO_SHAPE["num_key_value_heads"]
    head = d // heads
    per_layer = d * d * 2 + 2 * d * kv * head + 3 * d * f + 2 * d
    params = vocab * d + layers * per_layer + d
    return {
        **entry,
        "hidden_size": d,
        "num_layers": layers,
        "intermediate_size": f,
        "num_heads": heads,
        "num_kv_heads": kv,
        "vocab_size": vocab,
        "params_b": params / 1e9,
        "context_length": DEMO_SHAPE.get("max_position_embeddings", entry["context_length"]),
    }


@lru_cache(maxsize=1)
def models() -> tuple[ModelSpec, ...]:
    entries = _read("models.yaml")["models"]
    return tuple(ModelSpec.model_validate(_sync_demo(e) if e.get("demo") else e) for e in entries)


@lru_cache(maxsize=1)
def _gpu_file() -> dict[str, Any]:
    return _read("gpus.yaml")


@lru_cache(maxsize=1)
def gpus() -> tuple[GPUSpec, ...]:
    """Cloud/desktop GPUs of the catalog (prices possibly replaced by a live SkyPilot catalog)."""
    from vibeflow.recommend.prices import apply_live_prices

    return tuple(apply_live_prices([GPUSpec.model_validate(entry) for entry in _gpu_file()["gpus"]]))


def storage_rate() -> StorageRate:
    return StorageRate.model_validate(_gpu_file()["storage"])


def _total_ram_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        return 16.0


@lru_cache(maxsize=1)
def cpu_device() -> GPUSpec:
    """This machine's CPU as a device: RAM as memory, no price; speed comes from `calibrate_cpu`."""
    cores = os.cpu_count() or 1
    ram = round(_total_ram_gb(), 1)
    return GPUSpec(
        id=CPU_ID,
        name=f"CPU of this machine ({cores} cores, {ram:g} GB RAM)",
        aliases=["local", "none"],
        arch="cpu",
        memory_gb=ram,
        memory_bandwidth_gbs=20.0,
        bf16=False,
        # ~16 fp32 FLOPs/cycle/core at ~2.5 GHz, of which small models reach a fraction; calibration replaces it.
        peak_tflops=max(cores, 1) * 0.04,
        peak_precision="fp32",
        efficiency_vs_a100=1.0,
        prices=[],
        source="detected at run time (os.cpu_count, physical memory)",
        as_of=date.today().isoformat(),
        cuda=False,
    )


def _norm(text: str) -> str:
    text = text.strip().lower().replace("_", "-").replace(" ", "-")
    for noise in ("nvidia-", "geforce-", "tesla-"):
        text = text.removeprefix(noise)
    return re.sub(r"-+", "-", text)


def all_devices() -> list[GPUSpec]:
    return [*gpus(), cpu_device()]


def find_gpu(name: str) -> GPUSpec:
    """The GPU (or `cpu`) a user means by `name`; UnknownGPUError with close matches otherwise."""
    key = _norm(name or "")
    if not key:
        raise UnknownGPUError("no GPU given", fix=f"use one of: {', '.join(g.id for g in all_devices())}")
    for device in all_devices():
        if key == _norm(device.id) or key in {_norm(alias) for alias in device.aliases}:
            return device
    names = [g.id for g in all_devices()]
    close = difflib.get_close_matches(name.upper(), [n.upper() for n in names], n=2, cutoff=0.4)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise UnknownGPUError(
        f"unknown GPU '{name}'", fix=f"{hint}known devices: {', '.join(names)}", details={"known": names}
    )


def gpu_note(name: str) -> str | None:
    """A caveat about an ambiguous GPU name (an A100 comes in 40 and 80 GB)."""
    if _norm(name) in {"a100", "a100-sxm", "a100-pcie"}:
        return "'A100' was read as the 40 GB model (the safe choice); say A100-80GB if yours has 80 GB."
    return None


_SIZE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*([bm])(?![a-z])", re.IGNORECASE)


def _generic_model(name: str, params_b: float) -> ModelSpec:
    """Architecture guessed from the parameter count (Llama-like scaling), flagged as estimated."""
    # Llama-like shapes: params ~ 12 * layers * hidden^2 with layers ~ hidden / 128.
    hidden = int(min(max(round((params_b * 1e9 * 128 / 12) ** (1 / 3) / 128) * 128, 256), 16384))
    layers = max(2, round(params_b * 1e9 / (12 * hidden * hidden)))
    return ModelSpec(
        id=name,
        name=name,
        hf_id=name,
        family="unknown",
        params_b=params_b,
        hidden_size=hidden,
        num_layers=layers,
        num_heads=max(1, hidden // 128),
        num_kv_heads=max(1, hidden // 512),
        intermediate_size=int(hidden * 3.5),
        vocab_size=128256,
        tie_embeddings=params_b < 3,
        context_length=8192,
        license="unknown",
        commercial_use=False,
        chat_template="unknown",
        good_for=[],
        lora_target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        estimated=True,
        notes="Not in the catalog: architecture estimated from the parameter count.",
        source="estimated from the parameter count",
        as_of=date.today().isoformat(),
    )


def find_model(name: str, params_b: float | None = None) -> ModelSpec:
    """Catalog entry by id, Hub id or alias; a model directory or cached Hub model is read from its config.json;
    any other name with a size ("7B") or `params_b` is estimated."""
    raw = (name or "").strip()
    if not raw:
        raise UnknownModelError(
            "no base model given", fix="pass a catalog id, e.g. qwen2.5-1.5b (see `vibeflow catalog models`)"
        )
    key = raw.lower().rstrip("/")
    for model in models():  # an exact id wins over another entry's alias
        if key == model.id.lower():
            return model
    for model in models():
        hub = model.hf_id.lower()
        if key in {
            model.id.lower(),
            hub,
            hub.split("/")[-1],
            hub.split("/")[-1].removesuffix("-instruct"),
            hub.split("/")[-1].removesuffix("-it"),
        }:
            return model
    from vibeflow.recommend.model_shape import local_spec, looks_like_path

    local = local_spec(raw)  # a model directory or a cached Hub model: its own config.json, exact shape
    if local is not None:
        return local
    if params_b is None:
        match = _SIZE.search(Path(raw).name)
        if match:
            value = float(match.group(1))
            params_b = value if match.group(2).lower() == "b" else value / 1000
    if params_b:
        return _generic_model(raw, params_b)
    ids = [m.id for m in models()]
    if looks_like_path(raw):
        raise UnknownModelError(
            f"no model directory at '{raw}' (and no size in its name)",
            fix="point base_model at an existing folder that holds the model's config.json (an absolute path: "
            "training runs in the run's own folder), or use a catalog id (`vibeflow catalog models`)",
            details={"known": ids},
        )
    close = difflib.get_close_matches(key, ids, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    fetch = f", or fetch its config once: `hf download {raw} config.json`" if "/" in raw else ""
    raise UnknownModelError(
        f"unknown base model '{raw}': not in the catalog, not a model directory, not in the Hugging Face "
        "cache, and no size in its name",
        fix=f"{hint}use a catalog id (`vibeflow catalog models`) or point base_model at a local model "
        f"directory with a config.json{fetch}",
        details={"known": ids},
    )


def price_age_days(as_of: str, today: date | None = None) -> int | None:
    try:
        return ((today or date.today()) - date.fromisoformat(as_of)).days
    except ValueError:
        return None
