"""Exact parameter counts of a model folder from its safetensors headers (the JSON header only, never the tensors).

A `.safetensors` file starts with an 8-byte little-endian header length and that many bytes of JSON mapping each
tensor name to its dtype, shape and byte offsets; `model.safetensors.index.json` names the shards of a large model.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INDEX_NAME = "model.safetensors.index.json"
MAX_HEADER_BYTES = 100_000_000  # the format's own limit
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8}


@dataclass(frozen=True)
class TensorCount:
    """How many parameters the weight files declare, which tensor names they hold, and where that came from."""

    params: int
    names: frozenset[str]
    source: str


def read_header(path: Path) -> dict[str, Any]:
    """The JSON header of one safetensors file; ValueError when the file is not one."""
    with path.open("rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            raise ValueError(f"{path.name} is too short to be a safetensors file")
        (length,) = struct.unpack("<Q", head)
        if not 0 < length <= MAX_HEADER_BYTES:
            raise ValueError(f"{path.name} has an impossible safetensors header length ({length})")
        raw = handle.read(length)
    if len(raw) < length:
        raise ValueError(f"{path.name} ends inside its safetensors header")
    header = json.loads(raw)
    if not isinstance(header, dict):
        raise ValueError(f"{path.name}: the safetensors header is not a JSON object")
    return header


def _count(headers: list[dict[str, Any]]) -> tuple[int, frozenset[str]]:
    total, names = 0, set()
    for header in headers:
        for name, info in header.items():
            if name == "__metadata__" or not isinstance(info, dict):
                continue
            total += math.prod(int(n) for n in info.get("shape", []))
            names.add(name)
    return total, frozenset(names)


def _from_index(folder: Path, dtype: str | None) -> TensorCount | None:
    index = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
    weight_map = index.get("weight_map") or {}
    shards = sorted(set(weight_map.values()))
    if shards and all((folder / shard).is_file() for shard in shards):
        params, names = _count([read_header(folder / shard) for shard in shards])
        return TensorCount(params, names, f"safetensors headers of {len(shards)} shards")
    total_size = (index.get("metadata") or {}).get("total_size")
    per = DTYPE_BYTES.get(str(dtype or "").removeprefix("torch."))
    if total_size and per:  # shards not downloaded: bytes / bytes per parameter
        return TensorCount(int(total_size) // per, frozenset(weight_map), f"{INDEX_NAME} total_size")
    return None


def count_parameters(folder: Path, dtype: str | None = None) -> TensorCount | None:
    """Parameters declared by the folder's safetensors files (None when it has none); `dtype` is the config's
    torch_dtype, used only when an index lists shards that are not present."""
    try:
        if (folder / INDEX_NAME).is_file():
            return _from_index(folder, dtype)
        files = sorted(p for p in folder.glob("*.safetensors") if not p.name.startswith("adapter_"))
        if not files:
            return None
        params, names = _count([read_header(path) for path in files])
        return TensorCount(params, names, "safetensors header" + ("s" if len(files) > 1 else ""))
    except (OSError, ValueError, TypeError, AttributeError):  # unreadable weights: size it from its shape
        return None
