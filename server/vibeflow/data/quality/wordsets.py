"""Exact check of near-duplicate candidates: word-set Jaccard similarity of row pairs with a length-aware threshold.

A row's set holds its distinct words (lower case, punctuation trimmed, as for the MinHash shingles), input and
output words kept apart by a per-column multiplier; word order does not count, so reordered sentences match.
Two rows are near duplicates when the Jaccard similarity J of their sets reaches

    t(u) = clip(1 - SLACK_WORDS / u, MIN_JACCARD, JACCARD),   u = size of the union of the two sets,

i.e. they may differ in up to SLACK_WORDS words (each changed word counts twice: one out, one in) or 20% of
their words when that is more, and must always share at least MIN_JACCARD of them. A fixed 0.8 lets two
tickets of two 15-word fields differ by at most 3 changed words in all; `t(u)` allows them two in each field.

The similarity of many pairs is computed at once: both sets of every pair are tagged with the pair's number,
sorted together, and equal neighbours counted (no Python loop per pair).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vibeflow.data.quality import thresholds
from vibeflow.data.quality.hashing import U64
from vibeflow.data.quality.keysets import unique_sorted
from vibeflow.data.quality.sketch import INPUT_SALT, OUTPUT_SALT, row_words

JACCARD = thresholds.NEAR_DUPLICATE_JACCARD  # what long rows need
MIN_JACCARD = thresholds.NEAR_DUPLICATE_MIN_JACCARD  # what every pair needs
SLACK_WORDS = thresholds.NEAR_DUPLICATE_SLACK_WORDS  # differing words any pair may have (a changed word: 2)
_VALUE_BITS = 40  # words are kept as the top 40 bits of their hash (two words of one row colliding: ~1e-9)
_PAIR_BITS = 64 - _VALUE_BITS
_VALUE_MASK = U64((1 << _VALUE_BITS) - 1)
_CHUNK_ELEMENTS = 1 << 23  # words of both sides sorted at once (64 MiB of keys)


@dataclass
class WordSets:
    """Word sets of some rows in CSR form: row `rows[k]`'s sorted distinct words are values[offsets[k]:offsets[k+1]]."""

    rows: np.ndarray  # int64, sorted
    offsets: np.ndarray  # int64, len(rows) + 1
    values: np.ndarray  # uint64 < 2**40


def word_sets(inputs: list[str], outputs: list[str], rows: np.ndarray | None = None) -> WordSets:
    """Word sets of a few rows given as texts (`rows`: their dataset indices, sorted; default 0..n-1)."""
    n = len(inputs)
    rows = np.arange(n, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    if n >= 1 << _PAIR_BITS:  # the row's local number shares the sort key with the word
        half = n // 2
        a = word_sets(inputs[:half], outputs[:half], rows[:half])
        b = word_sets(inputs[half:], outputs[half:], rows[half:])
        offsets = np.concatenate([a.offsets, b.offsets[1:] + a.offsets[-1]])
        return WordSets(rows, offsets, np.concatenate([a.values, b.values]))
    keys: list[np.ndarray] = []
    for texts, (multiplier, _) in ((inputs, INPUT_SALT), (outputs, OUTPUT_SALT)):
        row, hashes = row_words(texts)
        keys.append((row.astype(U64) << U64(_VALUE_BITS)) | ((hashes * multiplier) >> U64(_PAIR_BITS)))
    combined = unique_sorted(np.concatenate(keys))  # grouped by row, distinct words within each row
    owner = (combined >> U64(_VALUE_BITS)).astype(np.int64)
    offsets = np.searchsorted(owner, np.arange(n + 1)).astype(np.int64)
    return WordSets(rows, offsets, combined & _VALUE_MASK)


def _gather(sets: WordSets, positions: np.ndarray, tag: np.ndarray) -> np.ndarray:
    """(tag << 40 | word) for every word of the sets at `positions`, tagged with that pair's local number."""
    starts = sets.offsets[positions]
    lengths = sets.offsets[positions + 1] - starts
    total = int(lengths.sum())
    first = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    values = sets.values[first + np.arange(total)]
    return (np.repeat(tag, lengths).astype(U64) << U64(_VALUE_BITS)) | values


def _chunks(sizes: np.ndarray) -> np.ndarray:
    """Boundaries of runs of pairs holding about _CHUNK_ELEMENTS words and at most 2**24 pairs each."""
    n = len(sizes)
    cumulative = np.cumsum(sizes)
    total = int(cumulative[-1]) if n else 0
    cuts = np.searchsorted(cumulative, np.arange(1, total // _CHUNK_ELEMENTS + 1) * _CHUNK_ELEMENTS)
    return unique_sorted(np.concatenate([[0, n], cuts, np.arange(0, n, 1 << _PAIR_BITS)]).astype(np.int64))


def pair_similarity(
    left: WordSets, left_rows: np.ndarray, right: WordSets, right_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(Jaccard similarity, union size) of the word sets of each pair (left_rows[k], right_rows[k])."""
    pos_l = np.searchsorted(left.rows, left_rows)
    pos_r = np.searchsorted(right.rows, right_rows)
    size_l = left.offsets[pos_l + 1] - left.offsets[pos_l]
    size_r = right.offsets[pos_r + 1] - right.offsets[pos_r]
    common = np.zeros(len(pos_l), dtype=np.int64)
    bounds = _chunks(size_l + size_r)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        tag = np.arange(hi - lo, dtype=np.int64)
        keys = np.sort(np.concatenate([_gather(left, pos_l[lo:hi], tag), _gather(right, pos_r[lo:hi], tag)]))
        shared = keys[1:][keys[1:] == keys[:-1]] >> U64(_VALUE_BITS)  # a word in both sets of one pair
        common[lo:hi] = np.bincount(shared.astype(np.int64), minlength=hi - lo)
    union = size_l + size_r - common
    similarity = np.divide(common, union, out=np.ones(len(common)), where=union > 0)
    return similarity, union


def threshold_for(union: np.ndarray, jaccard: float = JACCARD) -> np.ndarray:
    """Jaccard similarity a pair needs, by the size of the union of its word sets (see module docstring)."""
    union = np.maximum(np.asarray(union, dtype=np.float64), 1.0)
    return np.clip(1.0 - SLACK_WORDS / union, min(MIN_JACCARD, jaccard), jaccard)


def accepts(similarity: np.ndarray, union: np.ndarray, jaccard: float = JACCARD) -> np.ndarray:
    """Mask of pairs that are near duplicates (`jaccard`: the threshold for long rows)."""
    return similarity >= threshold_for(union, jaccard) - 1e-12
