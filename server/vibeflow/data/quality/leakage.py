"""Train/test leakage: test rows that exactly or nearly duplicate a training row (same checks as deduplication)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vibeflow.data.quality.columns import TextColumns
from vibeflow.data.quality.keysets import unique_sorted
from vibeflow.data.quality.minhash import band_keys, lsh_params, prefilter
from vibeflow.data.quality.wordsets import JACCARD, accepts, pair_similarity, word_sets

MATCHES_PER_KEY = 8  # training rows compared per (test row, band); enough for any real near-duplicate group


@dataclass
class Leakage:
    exact: np.ndarray  # bool per test row
    near: np.ndarray  # bool per test row (not counting exact ones)

    @property
    def any(self) -> np.ndarray:
        return self.exact | self.near


@dataclass
class SideSketch:
    """What the leakage check needs from one side of the split."""

    cols: TextColumns
    key: np.ndarray
    signature: np.ndarray
    eligible: np.ndarray  # non-blank rows with at least one shingle


def _exact(train: SideSketch, test: SideSketch) -> np.ndarray:
    """Test rows whose exact-duplicate key (normalised input and output, see duplicates.py) occurs in training."""
    return test.eligible & np.isin(test.key, train.key[train.eligible])


def _near_pairs(train: SideSketch, test: SideSketch, bands: int, rows: int) -> np.ndarray:
    train_index = np.flatnonzero(train.eligible)
    test_index = np.flatnonzero(test.eligible)
    if train_index.size == 0 or test_index.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    train_keys = band_keys(train.signature, train_index, bands, rows)
    test_keys = band_keys(test.signature, test_index, bands, rows)
    found: list[pd.DataFrame] = []
    for band in range(bands):
        hit = np.isin(test_keys[band], train_keys[band])
        if not hit.any():
            continue
        left = pd.DataFrame({"k": test_keys[band][hit], "test": test_index[hit]})
        right = pd.DataFrame({"k": train_keys[band], "train": train_index})
        right = right[right["k"].isin(left["k"])].groupby("k", sort=False).head(MATCHES_PER_KEY)
        found.append(left.merge(right, on="k")[["test", "train"]])
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = pd.concat(found).to_numpy(dtype=np.int64)
    width = np.int64(int(pairs.max()) + 1)
    codes = unique_sorted(pairs[:, 0] * width + pairs[:, 1])
    return np.stack([codes // width, codes % width], axis=1)


def find_leakage(train: SideSketch, test: SideSketch, threshold: float = JACCARD) -> Leakage:
    exact = _exact(train, test)
    near = np.zeros(test.cols.n, dtype=bool)
    bands, rows = lsh_params()
    pairs = _near_pairs(train, test, bands, rows)
    pairs = pairs[~exact[pairs[:, 0]]] if len(pairs) else pairs
    if len(pairs):
        pairs = pairs[prefilter(test.signature[pairs[:, 0]], train.signature[pairs[:, 1]])]
    if len(pairs):
        test_rows, train_rows = unique_sorted(pairs[:, 0]), unique_sorted(pairs[:, 1])
        test_sets = word_sets(
            test.cols.texts("input", test_rows), test.cols.texts("output", test_rows), test_rows
        )
        train_sets = word_sets(
            train.cols.texts("input", train_rows), train.cols.texts("output", train_rows), train_rows
        )
        sims, union = pair_similarity(test_sets, pairs[:, 0], train_sets, pairs[:, 1])
        near[pairs[accepts(sims, union, threshold), 0]] = True
    return Leakage(exact=exact, near=near & ~exact)
