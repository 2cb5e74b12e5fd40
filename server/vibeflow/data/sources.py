"""The small contract every format reader follows: a head sample for mapping, then raw batches with row numbers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import orjson
import pyarrow as pa

from vibeflow.data.detect import SourceInfo

BATCH_BYTES = 16 << 20  # text formats are read in ~16 MB chunks (cut at a line end)
BATCH_ROWS = 65_536  # record-based formats (JSON documents, Parquet) in batches of this many rows
HEAD_BYTES_BUDGET = 32 << 20  # a head sample stops after this much input once it has a record
MAX_REASON = 200  # characters of a bad row's reason kept (a 10 MB broken line must not flood the report)


@dataclass
class BadRow:
    """A source row that could not be read: `row` as in canonical `row`, `line` the physical line if different."""

    row: int
    reason: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row, "reason": self.reason}
        if self.line is not None and self.line != self.row:
            out["line"] = self.line
        return out


@dataclass
class RawBatch:
    """Source rows `rows` (1-based) as an Arrow `table` (fast readers) or Python `records` (slow readers)."""

    rows: np.ndarray
    table: pa.Table | None = None
    records: list[dict[str, Any]] | None = None
    done: int = 0  # progress units (see Source.total) consumed after this batch

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Head:
    """The first records of a source (for mapping detection and previews) and the bad rows met on the way."""

    records: list[dict[str, Any]]
    bad_rows: list[BadRow] = field(default_factory=list)


class SlowPathNeeded(Exception):  # noqa: N818 - a signal, not an error
    """A fast reader met input it cannot read exactly; the caller restarts with `batches(slow=True)`."""


class Source(Protocol):
    info: SourceInfo
    total: int  # progress units for the whole file (bytes for text formats, rows for Parquet/JSON)
    unit: str  # "bytes" or "rows"
    row_label: str  # what `row` counts in messages: "line" (JSONL) or "row"

    def head(self, n: int) -> Head: ...

    def batches(
        self, columns: Sequence[str], bad_rows: list[BadRow], slow: bool = False
    ) -> Iterator[RawBatch]:
        """Yield raw batches of at least `columns`, appending unreadable rows to `bad_rows`."""
        ...


def parse_json_line(line: bytes) -> tuple[Any, str | None]:
    """Parse one JSON line; invalid UTF-8 is decoded with U+FFFD so the row survives. Returns (value, error)."""
    try:
        return orjson.loads(line), None
    except orjson.JSONDecodeError as first:
        failure = first
    text = line.decode("utf-8", errors="replace")
    if "\ufffd" in text:
        try:
            return orjson.loads(text), None
        except orjson.JSONDecodeError as second:
            failure = second
    return None, json_reason(failure)


def json_reason(error: orjson.JSONDecodeError) -> str:
    msg = error.msg if hasattr(error, "msg") else str(error)
    col = getattr(error, "colno", None)
    return clip(f"not valid JSON: {msg}" + (f" (column {col})" if col else ""))


def clip(text: str, limit: int = MAX_REASON) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
