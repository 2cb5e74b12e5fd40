"""Read CSV/TSV: pyarrow's streaming reader when the file is clean, Python's csv module to pinpoint broken rows.

`row` is the record number (1 = first data record after the header, blank lines not counted) on both paths,
so a file read slowly because of one bad row numbers its good rows exactly as the fast path would.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from vibeflow.data.detect import SourceInfo
from vibeflow.data.sources import (
    BATCH_BYTES,
    BATCH_ROWS,
    HEAD_BYTES_BUDGET,
    BadRow,
    Head,
    RawBatch,
    SlowPathNeeded,
    clip,
)
from vibeflow.errors import DataFormatError

csv.field_size_limit(2**31 - 1)  # a 10 MB cell is legal; the default limit (128 KB) would reject it


class CsvSource:
    unit = "bytes"
    row_label = "row"

    def __init__(self, info: SourceInfo) -> None:
        self.info = info
        self.total = info.size
        self.delimiter = info.delimiter or ","
        self._header: tuple[list[str], int] | None = None

    @property
    def names(self) -> list[str]:
        return self._read_header()[0]

    def head(self, n: int) -> Head:
        head = Head([])
        for row, line, fields, error in self._records():
            if error:
                head.bad_rows.append(BadRow(row, error, line))
            else:
                head.records.append(self._record(fields))
            if len(head.records) >= n or len(head.bad_rows) >= n:
                break
            if self._position > HEAD_BYTES_BUDGET and head.records:
                break
        return head

    def batches(
        self, columns: Sequence[str], bad_rows: list[BadRow], slow: bool = False
    ) -> Iterator[RawBatch]:
        if slow:
            yield from self._slow(columns, bad_rows)
        else:
            yield from self._fast(columns)

    # ---- fast path ---------------------------------------------------------------------------------------

    def _fast(self, columns: Sequence[str]) -> Iterator[RawBatch]:
        names, header_lines = self._read_header()
        if header_lines != 1 + _leading_blank_lines(self.info.head):
            raise SlowPathNeeded("the header spans several lines")
        wanted = [c for c in columns if c in names] or names[:1]
        with self.info.path.open("rb") as raw:
            counted = _QuoteCountingFile(raw)
            try:
                reader = pacsv.open_csv(
                    counted,
                    read_options=pacsv.ReadOptions(
                        column_names=names, skip_rows=header_lines, block_size=BATCH_BYTES
                    ),
                    parse_options=pacsv.ParseOptions(
                        delimiter=self.delimiter, newlines_in_values=True, ignore_empty_lines=True
                    ),
                    convert_options=pacsv.ConvertOptions(
                        column_types=dict.fromkeys(names, pa.binary()), include_columns=wanted
                    ),
                )
                start = 1
                for batch in reader:
                    table = pa.Table.from_batches([batch])
                    rows = np.arange(start, start + table.num_rows, dtype=np.int64)
                    start += table.num_rows
                    yield RawBatch(rows, table=table, done=min(counted.tell(), self.total))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                raise SlowPathNeeded(str(error)) from error
            if counted.quotes % 2:
                raise SlowPathNeeded("odd number of quote characters: a quoted field may be unclosed")

    # ---- slow path ---------------------------------------------------------------------------------------

    def _slow(self, columns: Sequence[str], bad_rows: list[BadRow]) -> Iterator[RawBatch]:
        names = self.names
        width = len(names)
        wanted = [(c, names.index(c)) for c in columns if c in names]
        records: list[dict[str, Any]] = []
        rows: list[int] = []
        for row, line, fields, error in self._records():
            if error is None and len(fields) > width:
                error = (
                    f"has {len(fields)} fields but the header has {width} "
                    f"(a '{_show(self.delimiter)}' inside a value that is not quoted?)"
                )
            if error:
                bad_rows.append(BadRow(row, error, line))
                continue
            records.append({c: fields[i] if i < len(fields) else None for c, i in wanted})
            rows.append(row)
            if len(records) >= BATCH_ROWS:
                yield RawBatch(np.asarray(rows, np.int64), records=records, done=self._position)
                records, rows = [], []
        yield RawBatch(np.asarray(rows, np.int64), records=records, done=self.total)

    # ---- shared ------------------------------------------------------------------------------------------

    def _read_header(self) -> tuple[list[str], int]:
        if self._header is None:
            with self._open() as f:
                reader = csv.reader(f, delimiter=self.delimiter, strict=True)
                try:
                    header = next((r for r in reader if r), [])
                except csv.Error as error:
                    raise DataFormatError(
                        f"The header line cannot be read as CSV: {error}",
                        fix="Make the first line a list of column names separated by the delimiter.",
                        file=str(self.info.path),
                        line=reader.line_num,
                    ) from None
                self._header = (_unique_names(header), reader.line_num)
        return self._header

    def _record(self, fields: list[str]) -> dict[str, Any]:
        names = self.names
        return {name: fields[i] if i < len(fields) else None for i, name in enumerate(names)}

    def _records(self) -> Iterator[tuple[int, int, list[str], str | None]]:
        """Yield (record number, first line, fields, error) for each data record after the header."""
        _, header_lines = self._read_header()
        self._position = 0
        with self._open() as f:

            def lines() -> Iterator[str]:
                for text in f:
                    self._position += len(text)
                    yield text

            reader = csv.reader(lines(), delimiter=self.delimiter, strict=True)
            for _ in range(header_lines):
                next(f, None)
            row, previous_end = 0, header_lines
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    start, previous_end = previous_end + 1, header_lines + reader.line_num
                    row += 1
                    if "unexpected end of data" in str(error):
                        raise self._unclosed_quote(start) from None
                    yield row, start, [], clip(f"malformed CSV: {error}")
                    continue
                start, previous_end = previous_end + 1, header_lines + reader.line_num
                if not fields:
                    continue
                row += 1
                yield row, start, fields, None

    def _unclosed_quote(self, line: int) -> DataFormatError:
        return DataFormatError(
            f"A quoted value starting on line {line} is never closed, so the rest of the file cannot be "
            "split into rows",
            fix='Close the quote (add the missing ") or double the quote character inside the value ("").',
            file=str(self.info.path),
            line=line,
        )

    def _open(self) -> io.TextIOWrapper:
        return self.info.path.open("r", encoding="utf-8-sig", errors="replace", newline="")


class _QuoteCountingFile:
    """A read-only file wrapper for pyarrow that counts quote characters, to catch a quote left open at EOF."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw = raw
        self.quotes = 0
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.quotes += data.count(b'"')
        return data

    def tell(self) -> int:
        return self.raw.tell()

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True


def _unique_names(header: list[str]) -> list[str]:
    names: list[str] = []
    for i, name in enumerate(header):
        base = name.strip() or f"column_{i + 1}"
        unique, k = base, 2
        while unique in names:
            unique, k = f"{base}_{k}", k + 1
        names.append(unique)
    return names


def _leading_blank_lines(head: bytes) -> int:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    count = 0
    for line in text.splitlines():
        if line.strip():
            break
        count += 1
    return count


def _show(delimiter: str) -> str:
    return {"\t": "\\t"}.get(delimiter, delimiter)
