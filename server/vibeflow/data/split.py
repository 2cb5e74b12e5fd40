"""Seeded train/test split that keeps every exact and near-duplicate group on one side, so the split leaks nothing."""

from __future__ import annotations

import datasets
import numpy as np

from vibeflow.data.quality.columns import load_columns
from vibeflow.data.quality.groups import duplicate_groups
from vibeflow.errors import VibeFlowError


def split_dataset(
    ds: datasets.Dataset, *, test_fraction: float = 0.2, seed: int = 42
) -> tuple[datasets.Dataset, datasets.Dataset]:
    """(train, test) with round(test_fraction x rows) test rows when the groups allow it.

    Groups (see quality.groups) are shuffled with `numpy.random.default_rng(seed)` and moved to the test side
    in that order while they fit; rows keep their original order on each side. Same dataset + same seed =>
    same split.
    """
    if not 0 < test_fraction < 1:
        raise VibeFlowError(
            f"test fraction must be between 0 and 1, got {test_fraction}",
            fix="use e.g. 0.2 for an 80/20 split",
        )
    n = len(ds)
    test = np.zeros(n, dtype=bool)
    if n:
        groups = duplicate_groups(load_columns(ds))
        ids, sizes = np.unique(groups, return_counts=True)
        order = np.random.default_rng(seed).permutation(len(ids))
        target = int(round(test_fraction * n))
        chosen = _fill(sizes[order], target)
        test = np.isin(groups, ids[order][chosen])
        if n > 1 and (not test.any() or test.all()):
            raise VibeFlowError(
                f"a {test_fraction:.0%} split of {n:,} rows leaves one side empty: duplicates and near duplicates "
                f"stay on one side so no test row leaks into training, and these rows form {len(ids):,} "
                f"group(s), the largest of {int(sizes.max()):,} rows",
                fix="add rows that differ in more than a number or a name (the quality report lists the near "
                "duplicates), or choose a larger --test fraction",
            )
    return ds.select(np.flatnonzero(~test)), ds.select(np.flatnonzero(test))


def _fill(sizes: np.ndarray, target: int) -> np.ndarray:
    """Mask of groups (in the given order) taken while they fit in `target` rows."""
    chosen = np.cumsum(sizes) <= target
    room = target - int(sizes[chosen].sum())
    if room > 0:
        for i in np.flatnonzero(~chosen).tolist():
            if sizes[i] <= room:
                chosen[i] = True
                room -= int(sizes[i])
                if room == 0:
                    break
    return chosen
