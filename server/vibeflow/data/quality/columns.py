"""Zero-copy access to a canonical dataset's text columns as Arrow arrays, in row blocks or as small subsets."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vibeflow.errors import DataFormatError

BLOCK_ROWS = 32_768
REQUIRED = ("row", "input_text", "output_text")


@dataclass(frozen=True)
class TextColumns:
    """The columns every check reads; arrays are aligned with the dataset's rows (indices mapping applied)."""

    input: pa.ChunkedArray
    output: pa.ChunkedArray
    rows: np.ndarray  # int64 1-based source row numbers
    n_messages: np.ndarray  # int32 messages per conversation (2 when the column is absent)

    @property
    def n(self) -> int:
        return len(self.rows)

    def texts(self, which: str, indices: Sequence[int] | np.ndarray) -> list[str]:
        """Python strings of `which` ("input" or "output") for a few row indices (any order)."""
        column = self.input if which == "input" else self.output
        return take_strings(column, np.asarray(indices, dtype=np.int64))

    def joined(self, indices: Sequence[int] | np.ndarray) -> list[str]:
        """Input and output of a few rows joined with a blank line (what pattern checks look at)."""
        return [
            f"{a}\n\n{b}"
            for a, b in zip(self.texts("input", indices), self.texts("output", indices), strict=True)
        ]


def take_strings(column: pa.ChunkedArray, indices: np.ndarray) -> list[str]:
    """`column[indices]` as Python strings, gathering chunk by chunk.

    (`ChunkedArray.take` first concatenates every chunk, i.e. copies the whole column, on each call.)
    """
    if len(indices) == 0:
        return []
    bounds = np.cumsum([0] + [len(c) for c in column.chunks])
    order = np.argsort(indices, kind="stable")
    sorted_idx = indices[order]
    which = np.searchsorted(bounds, sorted_idx, side="right") - 1
    out: list[str] = [""] * len(indices)
    for chunk_no in np.unique(which).tolist():
        sel = which == chunk_no
        local = sorted_idx[sel] - bounds[chunk_no]
        values = column.chunks[chunk_no].take(pa.array(local)).to_pylist()
        for position, value in zip(order[sel].tolist(), values, strict=True):
            out[position] = value
    return out


def load_columns(ds) -> TextColumns:  # noqa: ANN001 - datasets.Dataset
    """Read the canonical columns of `ds` without copying text (a dataset with an indices mapping is gathered)."""
    missing = [c for c in REQUIRED if c not in ds.column_names]
    if missing:
        raise DataFormatError(
            f"dataset is not canonical: missing column(s) {', '.join(missing)}",
            fix="import the file with `vibeflow data import` so it is converted to the canonical chat form",
        )
    names = [c for c in (*REQUIRED, "messages") if c in ds.column_names]
    table: pa.Table = (
        ds.select_columns(names).with_format("arrow")[:] if len(ds) else ds.data.table.select(names)
    )
    rows = table.column("row").to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    if "messages" in names:
        n_messages = pc.fill_null(pc.list_value_length(table.column("messages")), 0).to_numpy(
            zero_copy_only=False
        )
    else:
        n_messages = np.full(len(rows), 2)
    return TextColumns(
        input=_strings(table.column("input_text")),
        output=_strings(table.column("output_text")),
        rows=rows,
        n_messages=np.asarray(n_messages, dtype=np.int32),
    )


def _strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if column.null_count:
        column = pc.fill_null(column, "")
    return column


def iter_blocks(column: pa.ChunkedArray, size: int = BLOCK_ROWS) -> Iterator[pa.Array]:
    """Yield consecutive arrays of at most `size` rows covering `column`, in order.

    Large chunks are sliced (zero-copy); only runs of small chunks are concatenated, so a block is never
    much smaller than size / 2 unless the column is.
    """
    pending: list[pa.Array] = []
    count = 0
    for chunk in column.chunks:
        start = 0
        while start < len(chunk):
            take = min(size - count, len(chunk) - start)
            pending.append(chunk.slice(start, take))
            count += take
            start += take
            if count >= size // 2:
                yield _combine(pending)
                pending, count = [], 0
    if pending:
        yield _combine(pending)


def iter_aligned_blocks(
    first: pa.ChunkedArray, second: pa.ChunkedArray, size: int = BLOCK_ROWS
) -> Iterator[tuple[int, pa.Array, pa.Array]]:
    """(start row, block of `first`, same rows of `second`): blocks follow `first`'s chunks; `second` is sliced to
    match (zero-copy when both columns share chunk boundaries, as columns of one Arrow table do)."""
    start = 0
    for block in iter_blocks(first, size):
        other = second.slice(start, len(block))
        yield start, block, _combine(other.chunks) if other.num_chunks else pa.array([], block.type)
        start += len(block)


def _combine(parts: list[pa.Array]) -> pa.Array:
    return parts[0] if len(parts) == 1 else pa.concat_arrays(parts)


def block_count(n: int, size: int = BLOCK_ROWS) -> int:
    return max(1, -(-n // size))
