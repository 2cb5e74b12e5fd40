"""The one pass over a text column's bytes: word counts, exact-duplicate keys, MinHash bins and per-row token flags.

Rows are split into tokens at ASCII whitespace with numpy on the Arrow byte buffer (no Python per row); the
tokens are dictionary-encoded by Arrow, and everything costly (lower-casing, punctuation trimming, hashing,
the RE2 prefilters of patterns.py) runs once per *unique* token of a block, then is gathered back per token.
Blocks of both columns are processed on two threads (Arrow and numpy release the GIL).

MinHash is one-permutation hashing (Li, Owen & Zhang 2012): every word-2-gram shingle (word bigram; a one-word
text is one shingle of its word) is hashed once with a 64-bit hash; its top 6 bits pick one of 64 bins and the
low 32 bits are the value; a row's signature is the minimum per bin (empty bins are filled later by
`minhash.densify`). Bigrams rather than 3-grams: one changed word breaks 2 shingles instead of 3, which is what
lets LSH find short texts that differ by a word or two per field (see minhash.py for the banding); the exact
check that follows compares word sets (wordsets.py). Computing classic 64-permutation MinHash per row with
datasketch's `MinHash.bulk` (xxhash, 64 permutations) was measured at ~55 µs/row with shingling, plus ~14 µs/row
to insert into `MinHashLSH`, on this project's 2-core bench machine; this whole pass (tokens, keys, flags and
signatures of both columns) costs ~5 µs/row of CPU, split over two threads.
"""

from __future__ import annotations

import os
import string
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vibeflow.data.quality.columns import iter_aligned_blocks
from vibeflow.data.quality.hashing import U64, fmix64, hash_strings, string_offsets
from vibeflow.data.quality.patterns import (
    CONTROL_ASCII,
    CONTROL_C1,
    EMAIL_TOKEN,
    SCRIPT_PATTERNS,
    SECRET_ANCHORS,
    Flag,
    badness_re2,
)

NUM_PERM = 64
# Stripped from both ends of a word for near-duplicate shingles ("help." == "help" == "(help").
_PUNCTUATION = (
    string.punctuation
    + "\u00ab\u00bb\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u00a1\u00bf\u00b7\u2022"
)
WORKERS = max(1, min(2, os.cpu_count() or 1))
EMPTY = np.uint32(0xFFFFFFFF)
_TOP_BYTE = 7 if sys.byteorder == "little" else 0
_KEY_P = 0x9E3779B97F4A7C15
_KEY_P_INV = pow(_KEY_P, -1, 1 << 64)
# (a, b) odd multipliers of the shingle combination; distinct per column so input and output shingles differ.
INPUT_SALT = (U64(0x5851F42D4C957F2D), U64(0x14057B7EF767814F))
OUTPUT_SALT = (U64(0xD6E8FEB86659FD93), U64(0xA0761D6478BD642F))


@dataclass
class ColumnSketch:
    """Per-row results of the pass over one column."""

    words: np.ndarray  # int32: non-blank whitespace-separated words
    key: np.ndarray  # uint64: order-sensitive hash of the lower-cased words (0 when there are none)
    signature: np.ndarray  # (n, NUM_PERM) uint32 one-permutation MinHash bins, EMPTY where no shingle fell
    flags: np.ndarray  # uint32: OR of the row's token Flags
    digits: np.ndarray  # int32: digits in number-like tokens (phone/card prefilter)


@dataclass
class _Tokens:
    rows: np.ndarray  # int32 row (within the block) of each token
    ids: np.ndarray  # int32 dictionary index of each token
    dictionary: pa.Array
    per_row: np.ndarray  # tokens per row


def _select(tokens: _Tokens, token_hashes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, hashes, count per row) of the tokens whose hash is not 0 (skipping copies when all are valid)."""
    valid = token_hashes != 0
    if valid.all():
        return tokens.rows, token_hashes, tokens.per_row
    rows = tokens.rows[valid]
    return rows, token_hashes[valid], np.bincount(rows, minlength=n)


def _tokenize(array: pa.Array) -> _Tokens | None:
    offsets, data = string_offsets(array)
    if len(data) == 0:
        return None
    is_space = (data == 32) | ((data >= 9) & (data <= 13))
    starts = np.empty(len(data), dtype=bool)
    starts[0] = True
    starts[1:] = is_space[:-1]
    row_starts = offsets[:-1]
    starts[row_starts[row_starts < len(data)]] = True
    token_starts = np.flatnonzero(starts)
    token_offsets = np.empty(len(token_starts) + 1, dtype=np.int64)
    token_offsets[:-1] = token_starts
    token_offsets[-1] = len(data)
    tokens = pa.LargeStringArray.from_buffers(
        len(token_starts), pa.py_buffer(token_offsets), pa.py_buffer(data)
    )
    encoded = pc.dictionary_encode(tokens)
    per_row = np.diff(np.searchsorted(token_starts, offsets))
    rows = np.repeat(np.arange(len(offsets) - 1, dtype=np.int32), per_row)
    ids = encoded.indices.to_numpy(zero_copy_only=False)
    return _Tokens(rows=rows, ids=ids, dictionary=encoded.dictionary, per_row=per_row)


def _dictionary_flags(dictionary: pa.Array) -> np.ndarray:
    flags = np.zeros(len(dictionary), dtype=np.uint32)

    def mark(mask: pa.Array, flag: Flag, subset: np.ndarray | None = None) -> None:
        hits = np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
        where = np.flatnonzero(hits) if subset is None else subset[hits]
        flags[where] |= np.uint32(flag)

    non_ascii = np.asarray(
        pc.not_equal(pc.binary_length(dictionary), pc.utf8_length(dictionary)).to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    flags[non_ascii] |= np.uint32(Flag.NON_ASCII)
    wide = np.flatnonzero(non_ascii)
    if wide.size:
        sub = dictionary.take(pa.array(wide))
        mark(pc.match_substring(sub, "\ufffd"), Flag.REPLACEMENT, wide)
        mark(pc.match_substring_regex(sub, badness_re2()), Flag.MOJIBAKE, wide)
        mark(pc.match_substring_regex(sub, CONTROL_C1), Flag.CONTROL, wide)
        scripts = np.zeros(len(wide), dtype=np.uint32)
        for flag, pattern in SCRIPT_PATTERNS:
            hit = np.asarray(
                pc.match_substring_regex(sub, pattern).to_numpy(zero_copy_only=False), dtype=bool
            )
            scripts[hit] |= np.uint32(flag)
        # A mojibake token's letters ("Ã©") are an artefact, not evidence of another language.
        scripts[(flags[wide] & np.uint32(Flag.MOJIBAKE)) != 0] = 0
        flags[wide] |= scripts
    mark(pc.match_substring_regex(dictionary, CONTROL_ASCII), Flag.CONTROL)
    at = np.flatnonzero(
        np.asarray(pc.match_substring(dictionary, "@").to_numpy(zero_copy_only=False), dtype=bool)
    )
    if at.size:
        mark(pc.match_substring_regex(dictionary.take(pa.array(at)), EMAIL_TOKEN), Flag.EMAIL, at)
    mark(pc.match_substring_regex(dictionary, SECRET_ANCHORS), Flag.SECRET)
    return flags


def _dictionary_digits(trimmed: pa.Array) -> np.ndarray:
    """Digits of number-like tokens: no letters, or at least 7 digits (a phone or card number glued to text)."""
    digits = np.zeros(len(trimmed), dtype=np.int32)
    has = np.flatnonzero(
        np.asarray(pc.match_substring_regex(trimmed, r"\d").to_numpy(zero_copy_only=False), dtype=bool)
    )
    if has.size:
        sub = trimmed.take(pa.array(has))
        count = pc.count_substring_regex(sub, r"\d").to_numpy(zero_copy_only=False)
        letters = np.asarray(pc.match_substring_regex(sub, r"\pL").to_numpy(zero_copy_only=False), dtype=bool)
        digits[has] = np.where(~letters | (count >= 7), count, 0)
    return digits


def _shingles(
    rows: np.ndarray, hashes: np.ndarray, counts: np.ndarray, salt: tuple[U64, U64]
) -> tuple[np.ndarray, np.ndarray]:
    """(row, hash) of each word bigram: a*h[j] + b*h[j+1] with per-column odd constants (a, b).

    The word hashes are already uniformly random 64-bit values, so this universal-hash style combination needs no
    further mixing. A row with a single word yields one shingle, a*h. `counts` are words per row.
    """
    a, b = salt
    out_rows: list[np.ndarray] = []
    out_hashes: list[np.ndarray] = []
    if len(hashes) > 1:
        keep = rows[1:] == rows[:-1]
        values = hashes[:-1] * a
        values += hashes[1:] * b
        out_rows.append(rows[:-1][keep])
        out_hashes.append(values[keep])
    single = np.flatnonzero(counts == 1)
    if single.size:
        out_rows.append(single.astype(rows.dtype))
        out_hashes.append(hashes[(np.cumsum(counts) - counts)[single]] * a)
    if not out_rows:
        return rows[:0], hashes[:0]
    if len(out_rows) == 1:
        return out_rows[0], out_hashes[0]
    return np.concatenate(out_rows), np.concatenate(out_hashes)


_POWERS: dict[int, np.ndarray] = {}


def _powers(base: int, count: int) -> np.ndarray:
    """base**0 .. base**(count-1) modulo 2**64, cached and grown geometrically (cumprod is not vectorised)."""
    cached = _POWERS.get(base)
    if cached is None or len(cached) < count:
        size = max(count, 2 * len(cached) if cached is not None else 1 << 20)
        cached = np.empty(size, dtype=U64)
        cached[0] = 1
        np.cumprod(np.full(size - 1, base, dtype=U64), out=cached[1:])
        _POWERS[base] = cached
    return cached[:count]


def _sequence_keys(hashes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Order-sensitive key per row (hashes grouped by row, `counts` per row): sum of hash * P**position, fmix64."""
    keys = np.zeros(len(counts), dtype=U64)
    present = np.flatnonzero(counts)
    if present.size == 0:
        return keys
    starts = (np.cumsum(counts) - counts)[present]
    weighted = hashes * _powers(_KEY_P, len(hashes))
    sums = np.add.reduceat(weighted, starts) * _powers(_KEY_P_INV, len(hashes))[starts]
    keys[present] = fmix64(sums ^ counts[present].astype(U64))
    return keys


def _canonical(dictionary: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    trimmed = pc.utf8_trim_whitespace(dictionary)
    lower = pc.utf8_lower(trimmed)
    near = pc.utf8_trim(lower, characters=_PUNCTUATION)
    return trimmed, hash_strings(lower), hash_strings(near)


def sketch_block(array: pa.Array, salt: tuple[U64, U64], signature: np.ndarray | None = None) -> ColumnSketch:
    """Sketch one block of rows of a column (see module docstring).

    `signature` (n, NUM_PERM), when given, receives the bins in place (min with what it already holds), so both
    columns of a row range can accumulate into the dataset's signature without copies.
    """
    n = len(array)
    words = np.zeros(n, dtype=np.int32)
    key = np.zeros(n, dtype=U64)
    if signature is None:
        signature = np.full((n, NUM_PERM), EMPTY, dtype=np.uint32)
    flags = np.zeros(n, dtype=np.uint32)
    digits = np.zeros(n, dtype=np.int32)
    tokens = _tokenize(array)
    if tokens is None:
        return ColumnSketch(words, key, signature, flags, digits)
    trimmed, lower_hash, near_hash = _canonical(tokens.dictionary)

    _, hashes, counts = _select(tokens, lower_hash[tokens.ids], n)
    if hashes.size:
        words[:] = counts
        key = _sequence_keys(hashes, counts)
    near_rows, near_hashes, near_counts = _select(tokens, near_hash[tokens.ids], n)
    shingle_rows, shingle_hashes = _shingles(near_rows, near_hashes, near_counts, salt)
    if shingle_rows.size:
        bins = (
            np.ascontiguousarray(shingle_hashes).view(np.uint8)[_TOP_BYTE::8] >> 2
        )  # top 6 bits of the hash
        flat = shingle_rows.astype(np.intp)
        flat <<= 6  # NUM_PERM == 64 bins per row
        flat += bins
        np.minimum.at(signature.reshape(-1), flat, shingle_hashes.astype(np.uint32))  # value: the low 32 bits

    dict_flags = _dictionary_flags(tokens.dictionary)
    dict_digits = _dictionary_digits(trimmed)
    marked = (dict_flags != 0) | (dict_digits != 0)
    interesting = np.flatnonzero(marked[tokens.ids]) if marked.any() else np.zeros(0, dtype=np.int64)
    if interesting.size:
        ids, rows = tokens.ids[interesting], tokens.rows[interesting]
        np.bitwise_or.at(flags, rows, dict_flags[ids])
        np.add.at(digits, rows, dict_digits[ids])
    return ColumnSketch(words, key, signature, flags, digits)


@dataclass
class DatasetSketch:
    """Per-row results of the pass over both text columns."""

    input_words: np.ndarray
    output_words: np.ndarray
    key: np.ndarray  # uint64 exact-duplicate key of (input, output); 0 when both are blank
    signature: np.ndarray  # (n, NUM_PERM) uint32 raw bins of input and output shingles together
    input_flags: np.ndarray  # uint32 Flags of the input's tokens
    output_flags: np.ndarray
    digits: np.ndarray  # int32 digits in number-like tokens (input + output)

    @property
    def flags(self) -> np.ndarray:
        return self.input_flags | self.output_flags


def sketch_columns(
    inputs: pa.ChunkedArray, outputs: pa.ChunkedArray, progress: Callable[[int], None] | None = None
) -> DatasetSketch:
    """Sketch both columns, one row range per task on two threads (Arrow and numpy release the GIL for the heavy
    parts); each task writes only its own rows, so no locking is needed around the results."""
    n = len(inputs)
    sketch = DatasetSketch(
        input_words=np.zeros(n, dtype=np.int32),
        output_words=np.zeros(n, dtype=np.int32),
        key=np.zeros(n, dtype=U64),
        signature=np.empty((n, NUM_PERM), dtype=np.uint32),  # each task fills its own rows with EMPTY
        input_flags=np.zeros(n, dtype=np.uint32),
        output_flags=np.zeros(n, dtype=np.uint32),
        digits=np.zeros(n, dtype=np.int32),
    )
    input_keys = np.zeros(n, dtype=U64)
    output_keys = np.zeros(n, dtype=U64)
    lock = threading.Lock()
    done = [0]

    def work(start: int, input_block: pa.Array, output_block: pa.Array) -> None:
        end = start + len(input_block)
        window = sketch.signature[start:end]  # this task's rows only: no other thread writes here
        window.fill(EMPTY)
        part_in = sketch_block(input_block, INPUT_SALT, window)
        part_out = sketch_block(output_block, OUTPUT_SALT, window)
        sketch.input_words[start:end] = part_in.words
        sketch.output_words[start:end] = part_out.words
        input_keys[start:end] = part_in.key
        output_keys[start:end] = part_out.key
        sketch.input_flags[start:end] = part_in.flags
        sketch.output_flags[start:end] = part_out.flags
        sketch.digits[start:end] = part_in.digits + part_out.digits
        with lock:
            done[0] += len(input_block)
            if progress is not None:
                progress(done[0])

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        tasks = [pool.submit(work, start, a, b) for start, a, b in iter_aligned_blocks(inputs, outputs)]
        for task in tasks:
            task.result()
    sketch.key = np.where(
        (input_keys == 0) & (output_keys == 0),
        U64(0),
        fmix64(input_keys * U64(0x9E3779B97F4A7C15) + output_keys),
    )
    return sketch


def row_words(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row, word hash) of every word of a few texts, normalised as for the shingles (lower case, punctuation
    trimmed; words that are only punctuation are skipped)."""
    tokens = _tokenize(pa.array(texts, pa.large_string()))
    if tokens is None:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=U64)
    _, _, near_hash = _canonical(tokens.dictionary)
    rows, hashes, _ = _select(tokens, near_hash[tokens.ids], len(texts))
    return rows, hashes
