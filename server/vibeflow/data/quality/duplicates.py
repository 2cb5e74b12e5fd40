"""Exact duplicates: rows whose input and output are equal after lower-casing and collapsing whitespace."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vibeflow.data.quality.keysets import repeated


@dataclass
class ExactDuplicates:
    """`first[i]` is the index of the first row equal to row i (i itself when it is the first or unique)."""

    first: np.ndarray

    @property
    def later_copies(self) -> np.ndarray:
        return self.first != np.arange(len(self.first))

    @property
    def groups(self) -> int:
        """Number of rows that have at least one later copy."""
        copies = self.later_copies
        return int(len(np.unique(self.first[copies]))) if copies.any() else 0


def find_exact_duplicates(key: np.ndarray, eligible: np.ndarray) -> ExactDuplicates:
    """Group eligible rows by the sketch key (see sketch.py).

    The key hashes the sequence of lower-cased words (split at ASCII whitespace) of the input and of the output
    to 64 bits, so equal keys mean equal normalised text up to a hash collision: about n^2 / 2^65, i.e. 3e-8 for
    a million rows. Rows are not re-compared as strings.
    """
    n = len(key)
    first = np.arange(n)
    index = np.flatnonzero(eligible)
    shared = index[repeated(key[index])]
    if shared.size == 0:
        return ExactDuplicates(first)
    values = key[shared]
    order = np.lexsort((shared, values))
    values, rows = values[order], shared[order]
    starts = np.ones(len(rows), dtype=bool)
    starts[1:] = values[1:] != values[:-1]
    group_first = rows[np.maximum.accumulate(np.where(starts, np.arange(len(rows)), 0))]
    first[rows] = group_first
    return ExactDuplicates(first)
