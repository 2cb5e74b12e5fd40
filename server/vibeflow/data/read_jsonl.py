"""Read JSON Lines in ~16 MB chunks with pyarrow, falling back to exact line-by-line parsing only where needed.

The fast path keeps `row == line number` honest: a chunk is accepted only when pyarrow returned one row per
line (or per non-blank line); anything else (broken lines, invalid UTF-8, mixed types, two objects on one
line) is parsed line by line with orjson so every bad line is reported with its line number.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.json as paj

from vibeflow.data.detect import SourceInfo
from vibeflow.data.sources import (
    BATCH_BYTES,
    HEAD_BYTES_BUDGET,
    BadRow,
    Head,
    RawBatch,
    parse_json_line,
    type_name,
)

MIN_BLOCK = 1 << 20


class JsonlSource:
    unit = "bytes"
    row_label = "line"

    def __init__(self, info: SourceInfo, chunk_bytes: int | None = None) -> None:
        self.info = info
        self.total = info.size
        self.chunk_bytes = chunk_bytes or BATCH_BYTES

    def head(self, n: int) -> Head:
        head = Head([])
        read = 0
        with self.info.path.open("rb") as f:
            for number, line in enumerate(f, start=1):
                read += len(line)
                if number == 1 and line.startswith(codecs.BOM_UTF8):
                    line = line[len(codecs.BOM_UTF8) :]
                if not line.strip():
                    continue
                value, error = parse_record(line)
                if error:
                    head.bad_rows.append(BadRow(number, error))
                else:
                    head.records.append(value)
                if len(head.records) >= n or len(head.bad_rows) >= n:
                    break
                if read > HEAD_BYTES_BUDGET and head.records:
                    break
        return head

    def batches(
        self, columns: Sequence[str], bad_rows: list[BadRow], slow: bool = False
    ) -> Iterator[RawBatch]:
        with self.info.path.open("rb") as f:
            first_line = 1
            done = 0
            while True:
                chunk = f.read(self.chunk_bytes)
                if not chunk:
                    break
                if not chunk.endswith(b"\n"):
                    chunk += f.readline()
                done += len(chunk)
                if first_line == 1 and chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[len(codecs.BOM_UTF8) :]
                lines = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
                batch = None if slow else parse_fast(chunk, first_line, lines)
                if batch is None:
                    batch = parse_slow(chunk, first_line, bad_rows)
                batch.done = done
                first_line += lines
                yield batch


def parse_fast(chunk: bytes, first_line: int, lines: int) -> RawBatch | None:
    """Parse a chunk of whole lines with pyarrow; None when the result cannot be matched to line numbers exactly."""
    block = MIN_BLOCK
    while True:
        try:
            table = paj.read_json(io.BytesIO(chunk), read_options=paj.ReadOptions(block_size=block))
            break
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            if "straddl" in str(error) and block < len(chunk):
                block = min(block * 4, len(chunk) + 1)  # one record longer than a block (a 10 MB line)
                continue
            return None
    if table.num_rows == lines:
        return RawBatch(np.arange(first_line, first_line + lines, dtype=np.int64), table=table)
    offsets = [i for i, line in enumerate(chunk.split(b"\n")) if line.strip()]
    if len(offsets) != table.num_rows:
        return None
    return RawBatch(first_line + np.asarray(offsets, np.int64), table=table)


def parse_slow(chunk: bytes, first_line: int, bad_rows: list[BadRow]) -> RawBatch:
    records, rows = [], []
    for i, line in enumerate(chunk.split(b"\n")):
        if not line.strip():
            continue
        value, error = parse_record(line)
        if error:
            bad_rows.append(BadRow(first_line + i, error))
            continue
        records.append(value)
        rows.append(first_line + i)
    return RawBatch(np.asarray(rows, np.int64), records=records)


def parse_record(line: bytes) -> tuple[dict | None, str | None]:
    value, error = parse_json_line(line)
    if error:
        return None, error
    if not isinstance(value, dict):
        return None, f"expected a JSON object ({{...}}) on each line, found {type_name(value)}"
    return value, None
