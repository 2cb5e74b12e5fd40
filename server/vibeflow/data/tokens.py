"""Token counting for the length checks: the chosen model's own tokenizer when it is on disk, else an approximation.

`get_token_counter(model)` resolves, in order:

1. ``None`` or ``"approx"``: `ApproxTokenCounter` (below), exact=False.
2. ``"vibeflow-demo-tiny"`` or ``"smollm2-135m-instruct"``: the tokenizer the trainer ships for it
   (``vibeflow_trainer/assets/{demo,smollm2}_tokenizer/tokenizer.json``); approximation if that file is absent.
3. A local directory holding ``tokenizer.json`` (or the path of such a file): that tokenizer.
4. A Hub model id: its ``tokenizer.json`` from the local Hugging Face cache if it was downloaded before;
   otherwise (machines here are offline) the approximation, with `note` saying so for the report.

Tokenizers are loaded with the `tokenizers` library only (never transformers, so the server stays torch-free).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DEMO_MODEL_ID = "vibeflow-demo-tiny"
SMOLLM2_ID = "smollm2-135m-instruct"
# Models the trainer builds offline, and the tokenizer each ships under vibeflow_trainer/assets/.
_SHIPPED_TOKENIZERS = {DEMO_MODEL_ID: "demo_tokenizer", SMOLLM2_ID: "smollm2_tokenizer"}
APPROX = "approx"
ASCII_CHARS_PER_TOKEN = 4.0  # English with GPT-2/Llama-class BPE vocabularies: 3.5-4.5 characters per token
EXTRA_BYTES_PER_TOKEN = 2.0  # non-ASCII: Cyrillic/Greek (2 bytes) ~2 chars/token, CJK (3 bytes) ~1 token/char
_BATCH = 4096


@runtime_checkable
class TokenCounter(Protocol):
    """Counts tokens of many texts at once; `exact` says whether the counts come from the model's tokenizer."""

    name: str
    exact: bool

    def count_batch(self, texts: list[str]) -> list[int]: ...


@dataclass
class ApproxTokenCounter:
    """Tokens estimated from UTF-8 sizes, vectorised with Arrow (no tokenizer, no Python per text).

    tokens = ceil(ascii_chars / 4 + extra_utf8_bytes / 2), at least 1 for a non-empty text, where
    ascii_chars = characters - extra_utf8_bytes (exact for 2-byte scripts, an under-estimate of ASCII for CJK)
    and extra_utf8_bytes = UTF-8 bytes - characters. English ~4 characters per token; Cyrillic/Greek/Arabic
    ~2 characters per token; CJK ~1 token per character; emoji ~1.5 tokens. Typically within ±25% of a
    modern BPE tokenizer on prose; code and numbers tokenize more densely than prose.
    """

    name: str = APPROX
    exact: bool = False
    note: str = (
        "approximate token counts (~4 characters per token for English); pass a model to count exactly"
    )

    def count_arrow(self, texts: pa.Array | pa.ChunkedArray) -> np.ndarray:
        chars = pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int64)
        nbytes = pc.binary_length(texts).to_numpy(zero_copy_only=False).astype(np.int64)
        extra = nbytes - chars
        ascii_chars = np.maximum(chars - extra, 0)
        estimate = np.ceil(ascii_chars / ASCII_CHARS_PER_TOKEN + extra / EXTRA_BYTES_PER_TOKEN).astype(
            np.int64
        )
        return np.where(chars > 0, np.maximum(estimate, 1), 0)

    def count_batch(self, texts: list[str]) -> list[int]:
        return self.count_arrow(pa.array(texts, pa.large_string())).tolist()


class HFTokenizerCounter:
    """Exact counts with a `tokenizers` tokenizer.json (special tokens not added; the chat template is separate)."""

    exact = True

    def __init__(self, path: Path, name: str) -> None:
        from tokenizers import Tokenizer

        self.path = path
        self.name = name
        self.note = f"exact token counts with the {name} tokenizer"
        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def count_batch(self, texts: list[str]) -> list[int]:
        counts: list[int] = []
        for start in range(0, len(texts), _BATCH):
            encodings = self._tokenizer.encode_batch_fast(
                texts[start : start + _BATCH], add_special_tokens=False
            )
            counts.extend(len(e.ids) for e in encodings)
        return counts

    def count_arrow(self, texts: pa.Array | pa.ChunkedArray) -> np.ndarray:
        chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
        out: list[int] = []
        for chunk in chunks:
            for start in range(0, len(chunk), _BATCH):
                out.extend(self.count_batch(chunk.slice(start, _BATCH).to_pylist()))
        return np.asarray(out, dtype=np.int64)


def count_tokens(counter: TokenCounter, texts: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Token counts of an Arrow string column with any counter (fast path when the counter has `count_arrow`)."""
    fast = getattr(counter, "count_arrow", None)
    if fast is not None:
        return np.asarray(fast(texts), dtype=np.int64)
    chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
    out: list[int] = []
    for chunk in chunks:
        for start in range(0, len(chunk), _BATCH):
            out.extend(counter.count_batch(chunk.slice(start, _BATCH).to_pylist()))
    return np.asarray(out, dtype=np.int64)


def shipped_tokenizer_path(model: str = DEMO_MODEL_ID) -> Path:
    """Where the trainer package keeps a packaged model's tokenizer (found without importing the trainer)."""
    spec = importlib.util.find_spec("vibeflow_trainer")
    if spec is not None and spec.submodule_search_locations:
        base = Path(next(iter(spec.submodule_search_locations)))
    else:
        base = Path(__file__).resolve().parents[3] / "trainer" / "vibeflow_trainer"
    return base / "assets" / _SHIPPED_TOKENIZERS[model] / "tokenizer.json"


def demo_tokenizer_path() -> Path:
    return shipped_tokenizer_path(DEMO_MODEL_ID)


def _hub_cache_tokenizer(model: str) -> Path | None:
    home = Path(
        os.environ.get("HF_HUB_CACHE")
        or Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface") / "hub"
    )
    snapshots = home / f"models--{model.replace('/', '--')}" / "snapshots"
    if not snapshots.is_dir():
        return None
    found = sorted(snapshots.glob("*/tokenizer.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    return found[0] if found else None


def get_token_counter(model: str | None) -> TokenCounter:
    """The best counter available offline for `model` (see the module docstring for the order)."""
    if model is None or model == APPROX:
        return ApproxTokenCounter()
    if model in _SHIPPED_TOKENIZERS:
        path = shipped_tokenizer_path(model)
        if path.is_file():
            return HFTokenizerCounter(path, model)
        return ApproxTokenCounter(
            name=f"{APPROX} ({model} tokenizer not found)",
            note=f"{path} is missing (reinstall VibeFlow's trainer package); token counts are approximate",
        )
    local = Path(model).expanduser()
    if local.is_dir() and (local / "tokenizer.json").is_file():
        return HFTokenizerCounter(local / "tokenizer.json", model)
    if local.is_file() and local.name.endswith(".json"):
        return HFTokenizerCounter(local, model)
    cached = _hub_cache_tokenizer(model)
    if cached is not None:
        return HFTokenizerCounter(cached, model)
    return ApproxTokenCounter(
        name=f"{APPROX} ({model} tokenizer unavailable offline)",
        note=f"the tokenizer of {model} is not on this machine (no network to fetch it); token counts are "
        "approximate, download the model or pass a local directory containing tokenizer.json to count exactly",
    )
