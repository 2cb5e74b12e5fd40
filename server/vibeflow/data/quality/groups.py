"""Duplicate groups: exact copies and verified near-duplicate pairs joined transitively, the unit a split must not cut."""

from __future__ import annotations

import numpy as np

from vibeflow.data.quality.columns import TextColumns
from vibeflow.data.quality.duplicates import find_exact_duplicates
from vibeflow.data.quality.minhash import densify
from vibeflow.data.quality.neardup import find_near_duplicates
from vibeflow.data.quality.sketch import sketch_columns


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Smallest member index of each row's connected component under `pairs` (union-find on the few pair ends)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs.tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    out = np.arange(n)
    for x in parent:
        out[x] = find(x)
    return out


def duplicate_groups(cols: TextColumns) -> np.ndarray:
    """Group id per row (the index of the group's first row); rows without any duplicate are their own group."""
    sketch = sketch_columns(cols.input, cols.output)
    has_shingles = densify(sketch.signature)
    missing = (sketch.input_words == 0) | (sketch.output_words == 0)
    exact = find_exact_duplicates(sketch.key, ~missing)
    eligible = ~missing & (exact.first == np.arange(cols.n)) & has_shingles
    near = find_near_duplicates(cols, sketch.signature, eligible)
    representative = _components(cols.n, near.pairs)
    return representative[exact.first]
