"""Near duplicates: MinHash LSH candidates verified by word-set Jaccard (length-aware), resolved greedily in row order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vibeflow.data.quality.columns import TextColumns
from vibeflow.data.quality.keysets import unique_sorted
from vibeflow.data.quality.minhash import band_keys, candidate_pairs, lsh_params, prefilter
from vibeflow.data.quality.wordsets import JACCARD, accepts, pair_similarity, word_sets


@dataclass
class NearDuplicates:
    """`parent[j]` is an earlier *kept* row whose words are near-duplicate similar to row j (wordsets.py), or -1.

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


def _verify(
    cols: TextColumns, signature: np.ndarray, pairs: np.ndarray, jaccard: float
) -> tuple[np.ndarray, np.ndarray]:
    if len(pairs):
        pairs = pairs[prefilter(signature[pairs[:, 0]], signature[pairs[:, 1]])]
    if len(pairs) == 0:
        return pairs, np.zeros(0)
    needed = unique_sorted(pairs.reshape(-1))
    sets = word_sets(cols.texts("input", needed), cols.texts("output", needed), needed)
    sims, union = pair_similarity(sets, pairs[:, 0], sets, pairs[:, 1])
    ok = accepts(sims, union, jaccard)
    return pairs[ok], sims[ok]


def find_near_duplicates(
    cols: TextColumns, signature: np.ndarray, eligible: np.ndarray, threshold: float = JACCARD
) -> NearDuplicates:
    """Near-duplicate rows among `eligible` ones (non-blank, not an exact later copy, at least one shingle).

    `threshold` is the word-set Jaccard similarity long rows need (short rows need less, see wordsets.py).
    """
    bands, rows = lsh_params()
    index = np.flatnonzero(eligible)
    parent = np.full(cols.n, -1, dtype=np.int64)
    if index.size < 2:
        return NearDuplicates(parent, np.zeros((0, 2), np.int64), np.zeros(0), 0, bands, rows)
    candidates = candidate_pairs(band_keys(signature, index, bands, rows), index)
    pairs, sims = _verify(cols, signature, candidates, threshold)
    order = np.lexsort((pairs[:, 0], pairs[:, 1])) if len(pairs) else np.zeros(0, dtype=np.int64)
    for i, j in pairs[order].tolist():
        if parent[j] < 0 and parent[i] < 0:
            parent[j] = i
    return NearDuplicates(parent, pairs, sims, int(len(candidates)), bands, rows)
