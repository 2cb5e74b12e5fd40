"""Near duplicates: MinHash LSH candidates verified by exact shingle Jaccard, resolved greedily in row order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vibeflow.data.quality.columns import TextColumns
from vibeflow.data.quality.keysets import unique_sorted
from vibeflow.data.quality.minhash import (
    THRESHOLD,
    band_keys,
    candidate_pairs,
    exact_sets,
    lsh_params,
    prefilter,
    verify_pairs,
)


@dataclass
class NearDuplicates:
    """`parent[j]` is an earlier *kept* row whose shingles are >= THRESHOLD similar to row j, or -1.

    Rows are resolved in order: a row is dropped only if it is similar to a row that is itself kept, so every
    dropped row has a kept near-twin (no chains of drops through dropped rows). `pairs` holds every verified
    pair (i < j) with its similarity, which the splitter uses to keep whole groups on one side.
    """

    parent: np.ndarray
    pairs: np.ndarray  # (m, 2) int64
    similarity: np.ndarray
    candidates: int
    bands: int
    rows_per_band: int

    @property
    def dropped(self) -> np.ndarray:
        return self.parent >= 0

    @property
    def clusters(self) -> int:
        return int(len(np.unique(self.parent[self.parent >= 0])))


def _verify(cols: TextColumns, signature: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(pairs) == 0:
        return pairs, np.zeros(0)
    pairs = pairs[prefilter(signature[pairs[:, 0]], signature[pairs[:, 1]])]
    needed = unique_sorted(pairs.reshape(-1))
    sets = exact_sets(cols.texts("input", needed), cols.texts("output", needed), needed)
    ok, sims = verify_pairs(pairs[:, 0], pairs[:, 1], sets, sets)
    return pairs[ok], sims[ok]


def find_near_duplicates(
    cols: TextColumns, signature: np.ndarray, eligible: np.ndarray, threshold: float = THRESHOLD
) -> NearDuplicates:
    """Near-duplicate rows among `eligible` ones (non-blank, not an exact later copy, at least one shingle)."""
    bands, rows = lsh_params(threshold)
    index = np.flatnonzero(eligible)
    parent = np.full(cols.n, -1, dtype=np.int64)
    if index.size < 2:
        return NearDuplicates(parent, np.zeros((0, 2), np.int64), np.zeros(0), 0, bands, rows)
    candidates = candidate_pairs(band_keys(signature, index, bands, rows), index)
    pairs, sims = _verify(cols, signature, candidates)
    order = np.lexsort((pairs[:, 0], pairs[:, 1])) if len(pairs) else np.zeros(0, dtype=np.int64)
    for i, j in pairs[order].tolist():
        if parent[j] < 0 and parent[i] < 0:
            parent[j] = i
    return NearDuplicates(parent, pairs, sims, int(len(candidates)), bands, rows)
