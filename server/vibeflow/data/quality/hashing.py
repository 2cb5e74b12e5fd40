"""Vectorised 64-bit hashing (MurmurHash3 finalizer, polynomial string hash) so checks never hash row by row in Python."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

U64 = np.uint64
_M1 = U64(0xFF51AFD7ED558CCD)
_M2 = U64(0xC4CEB9FE1A85EC53)
_S33 = U64(33)
GOLDEN = U64(0x9E3779B97F4A7C15)
_P = 0x100000001B3  # odd multiplier (FNV prime): invertible modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: a bijective avalanche mix of uint64 values (returns a new array)."""
    h = np.asarray(h, dtype=U64).copy()
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


def combine(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """Order-sensitive combination of two uint64 hash arrays."""
    return fmix64(np.asarray(a, dtype=U64) * GOLDEN + np.asarray(b, dtype=U64))


def string_offsets(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets as int64 relative to the returned byte view, bytes as uint8) of a string/large_string array."""
    n = len(arr)
    buffers = arr.buffers()
    wide = pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type)
    dtype, size = (np.int64, 8) if wide else (np.int32, 4)
    offsets = np.frombuffer(buffers[1], dtype=dtype, count=n + 1, offset=arr.offset * size).astype(np.int64)
    lo, hi = int(offsets[0]), int(offsets[-1])
    if buffers[2] is None or hi == lo:
        return offsets - lo, np.zeros(0, dtype=np.uint8)
    data = np.frombuffer(buffers[2], dtype=np.uint8, count=hi - lo, offset=lo)
    return offsets - lo, data


def hash_strings(arr: pa.Array) -> np.ndarray:
    """Deterministic 64-bit hash of every string in `arr` (polynomial hash mod 2**64, then fmix64).

    Equal strings always get equal hashes, in any process; the empty string hashes to 0 so callers can use 0 as
    "no token". Meant for dictionaries of unique tokens (it allocates O(total bytes) temporaries).
    """
    offsets, data = string_offsets(arr)
    n = len(offsets) - 1
    if n == 0:
        return np.zeros(0, dtype=U64)
    total = len(data)
    out = np.zeros(n, dtype=U64)
    if total == 0:
        return out
    powers = np.empty(total, dtype=U64)
    powers[0] = 1
    np.cumprod(np.full(total - 1, _P, dtype=U64), out=powers[1:])
    inverse = np.empty(total, dtype=U64)
    inverse[0] = 1
    np.cumprod(np.full(total - 1, _P_INV, dtype=U64), out=inverse[1:])
    prefix = np.zeros(total + 1, dtype=U64)
    np.cumsum((data.astype(U64) + U64(1)) * powers, out=prefix[1:])
    starts, ends = offsets[:-1], offsets[1:]
    lengths = (ends - starts).astype(U64)
    nonempty = lengths > 0
    s, e = starts[nonempty], ends[nonempty]
    raw = (prefix[e] - prefix[s]) * inverse[s]
    out[nonempty] = fmix64(raw ^ (lengths[nonempty] * GOLDEN))
    out[nonempty & (out == 0)] = U64(1)
    return out
