"""MinHash signatures to candidate pairs: densification and LSH banding (parameters from datasketch).

Signatures come from `sketch.py` (one-permutation MinHash over word bigrams, 64 bins). Empty bins are filled by
rotation densification (Shrivastava & Li 2014): an empty bin borrows from the next non-empty bin, so equal sets
keep equal signatures and bin agreement still estimates the Jaccard similarity.

Banding: `b` bands of `r` bins; rows sharing all `r` values of any band become candidate pairs. (b, r) are what
`datasketch.MinHashLSH` chooses for a bigram Jaccard similarity of LSH_THRESHOLD with false negatives weighted 9x
false positives (recall matters more because every candidate is verified): 21 bands of 3 bins. Two 15-word
fields with two words changed in each keep about half of their bigrams (J ~0.55, found with probability ~0.97),
while unrelated rows share few bigrams (three equal bins by chance are rare, as long as a band's bins lie far
apart: see `band_keys`). Bucketing is done with
numpy/pandas rather than inserting a million keys into `MinHashLSH` one by one (~14 µs per insert measured, i.e.
14 s per million rows). Candidates are then checked exactly on their word sets (wordsets.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np

from vibeflow.data.quality.hashing import U64
from vibeflow.data.quality.keysets import repeated, unique_sorted
from vibeflow.data.quality.sketch import EMPTY, NUM_PERM, WORKERS

LSH_THRESHOLD = 0.5  # bigram Jaccard similarity the banding is tuned for
LSH_WEIGHTS = (0.1, 0.9)  # (false positive, false negative) weights given to datasketch's parameter search
MAX_BUCKET_ALL_PAIRS = 12  # larger buckets (templated data) contribute star + chain pairs only
PREFILTER_MARGIN = 0.25  # pairs whose signature agreement is below LSH_THRESHOLD - margin are not verified


# datasketch.MinHashLSH(threshold=0.5, num_perm=64, weights=(0.1, 0.9)) chooses b=21 bands of r=3 rows. Pinned
# here because datasketch's parameter search imports scipy.integrate (~0.45 s per process); the test suite
# asserts the pin still equals datasketch's choice, and other thresholds ask datasketch directly.
_PINNED = {(LSH_THRESHOLD, NUM_PERM, LSH_WEIGHTS): (21, 3)}


@lru_cache(maxsize=8)
def lsh_params(threshold: float = LSH_THRESHOLD, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHashLSH chooses for this threshold."""
    pinned = _PINNED.get((threshold, num_perm, LSH_WEIGHTS))
    if pinned is not None:
        return pinned
    return datasketch_params(threshold, num_perm)


def datasketch_params(threshold: float = LSH_THRESHOLD, num_perm: int = NUM_PERM) -> tuple[int, int]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
    return int(lsh.b), int(lsh.r)


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """Chance that two sets with this Jaccard similarity share at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


_ROTATION_STEP = np.uint32(0x9E3779B1)  # odd constant: a borrowed value is shifted by step x distance


def densify(signature: np.ndarray, chunk: int = 65_536) -> np.ndarray:
    """Fill empty bins in place (rows with no shingle stay empty); returns the mask of non-empty rows.

    Rotation densification: an empty bin takes the value of the next non-empty bin to its right (wrapping
    around), plus step x distance so a borrowed value never equals the lender's own value in another row.
    One backward sweep over the bins (twice round, for the wrap) on column vectors of a chunk of rows.
    """
    n, bins = signature.shape
    has_any = np.zeros(n, dtype=bool)

    def run(start: int) -> None:
        block = signature[start : start + chunk]
        empty = block == EMPTY
        has_any[start : start + chunk] = ~empty.all(axis=1)
        todo = np.flatnonzero(empty.any(axis=1) & has_any[start : start + chunk])
        if todo.size == 0:
            return
        values = np.ascontiguousarray(block[todo].T)  # (bins, m)
        present = np.ascontiguousarray((~empty[todo]).T).astype(np.uint32)
        keep = np.uint32(0) - present  # all ones where the bin has a value
        lender_pos = np.zeros(len(todo), dtype=np.uint32)
        lender_val = np.zeros(len(todo), dtype=np.uint32)
        out = np.empty_like(values)
        for k in range(2 * bins - 1, -1, -1):  # bitwise blends: numpy's masked copies are ~20x slower
            j = k % bins
            mine, other = keep[j], ~keep[j]
            lender_pos = (np.uint32(k) & mine) | (lender_pos & other)
            lender_val = (values[j] & mine) | (lender_val & other)
            if k < bins:
                borrowed = lender_val + (lender_pos - np.uint32(k)) * _ROTATION_STEP
                out[k] = (values[k] & mine) | (borrowed & other)
        block[todo] = out.T

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # numpy releases the GIL in these loops
        list(pool.map(run, range(0, n, chunk)))
    return has_any


def band_keys(
    signature: np.ndarray, index: np.ndarray, bands: int, rows: int, chunk: int = 8192
) -> np.ndarray:
    """(bands, len(index)) uint64 keys of the selected rows: a polynomial hash of each band's bin values.

    Band `k` holds bins k, k + bands, k + 2 * bands, ...: bins far apart. Densification fills a run of adjacent
    empty bins from one lender, so adjacent bins are correlated: with bands of adjacent bins, one shared shingle
    made a whole 3-bin band agree and random rows became candidates (100x more candidates on the 1M-row bench,
    nearly all with under 10% of their bins equal). Rows are read a chunk at a time, all bands at once (reading
    one band's bins down all rows reads the whole signature once per band). Keys are only compared within one
    band, and `keysets.repeated` buckets them by their top bits.
    """
    powers = np.array([pow(0x100000001B3, rows - 1 - c, 1 << 64) for c in range(rows)], dtype=U64)
    salt = np.arange(1, bands + 1, dtype=U64)
    keys = np.empty((bands, len(index)), dtype=U64)
    for start in range(0, len(index), chunk):
        # block[i, c, k]: bin c * bands + k of row index[start + i], the c-th bin of band k
        block = signature[index[start : start + chunk], : bands * rows].reshape(-1, rows, bands)
        acc = block[:, 0, :].astype(U64) * powers[0]
        for c in range(1, rows):
            acc += block[:, c, :].astype(U64) * powers[c]  # polynomial hash; its top bits are well mixed
        keys[:, start : start + chunk] = (acc ^ salt).T
    return keys


def _group_pairs(rows: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs inside runs of equal `values` (rows sorted within runs): star from the first + consecutive members,
    plus every pair for small buckets."""
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(values)), 0))
    rest = np.flatnonzero(~first)
    left = [rows[group_start[rest]], rows[rest - 1]]
    right = [rows[rest], rows[rest]]
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, len(values)))
    for size in range(3, MAX_BUCKET_ALL_PAIRS + 1):  # all buckets of one size at once (thousands per band)
        heads = starts[sizes == size, None]  # position of each such bucket's first member
        if heads.size:
            i, j = np.triu_indices(size, k=1)
            left.append(rows[heads + i].reshape(-1))
            right.append(rows[heads + j].reshape(-1))
    return np.concatenate(left), np.concatenate(right)


def candidate_pairs(keys: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Unique (i, j), i < j, of rows `index` (keys[:, k] belongs to index[k]) sharing a band key, shape (m, 2)."""
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for band_key in keys:
        shared = repeated(band_key)
        if not shared.any():
            continue
        rows = index[shared]
        values = band_key[shared]
        order = np.lexsort((rows, values))
        a, b = _group_pairs(rows[order], values[order])
        left.append(a)
        right.append(b)
    if not left:
        return np.zeros((0, 2), dtype=np.int64)
    a, b = np.concatenate(left).astype(np.int64), np.concatenate(right).astype(np.int64)
    low, high = np.minimum(a, b), np.maximum(a, b)
    width = np.int64(int(high.max()) + 1)
    codes = unique_sorted(low * width + high)
    return np.stack([codes // width, codes % width], axis=1)


def signature_agreement(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Fraction of equal bins per pair of signature rows (the MinHash estimate of Jaccard similarity)."""
    return (sig_a == sig_b).mean(axis=1)


def prefilter(signature_a: np.ndarray, signature_b: np.ndarray) -> np.ndarray:
    """Mask of pairs whose signature agreement makes a verification worthwhile."""
    return signature_agreement(signature_a, signature_b) >= LSH_THRESHOLD - PREFILTER_MARGIN
