"""Loads our metric modules with `evaluate.load(<directory in this repo>)` — never from the Hub — without torch.

`evaluate`'s package import pulls in transformers (and so torch) for its pipeline evaluators, which metrics do
not need; transformers is hidden for the duration of that import so the backend process stays torch-free.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

METRICS_DIR = Path(__file__).resolve().parent / "metrics"
METRIC_NAMES = ("exact_match", "token_f1", "rouge_l", "bleu", "length_ratio", "semantic_similarity")
_lock = threading.Lock()
_cache: dict[str, Any] = {}


def import_evaluate() -> Any:
    """Import the `evaluate` package without letting it import transformers/torch."""
    if "evaluate" in sys.modules:
        return sys.modules["evaluate"]
    hidden = "transformers" not in sys.modules
    if hidden:
        sys.modules["transformers"] = None  # type: ignore[assignment] - makes `import transformers` fail fast
    try:
        import evaluate
    finally:
        if hidden:
            sys.modules.pop("transformers", None)
    return evaluate


def metric_path(name: str) -> Path:
    if name not in METRIC_NAMES:
        raise KeyError(f"unknown metric {name!r}; ours are {', '.join(METRIC_NAMES)}")
    return METRICS_DIR / name


def load_metric(name: str) -> Any:
    """The evaluate module `name` loaded by path from server/vibeflow/evaluation/metrics/<name>/ (cached)."""
    with _lock:
        if name not in _cache:
            evaluate = import_evaluate()
            _cache[name] = evaluate.load(str(metric_path(name)), keep_in_memory=True)
        return _cache[name]
