"""Read a JSON document: an array of records, an object of equal-length arrays, or an object wrapping one list.

A top-level array (the common big case) streams through `json_array` into the JSON Lines parser. Objects
(column-oriented or wrapping a list) have no element boundaries to stream by and are parsed once with orjson.
`row` is the record's 1-based position in its list either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import orjson

from vibeflow.data.detect import SourceInfo
from vibeflow.data.json_array import ArraySplitter, iter_array_lines
from vibeflow.data.profile import CONTENT_KEYS, ROLE_KEYS
from vibeflow.data.read_jsonl import parse_fast, parse_record, parse_slow
from vibeflow.data.sources import (
    BATCH_BYTES,
    BATCH_ROWS,
    HEAD_BYTES_BUDGET,
    BadRow,
    Head,
    RawBatch,
    clip,
    type_name,
)
from vibeflow.errors import DataFormatError

HEAD_CHUNK = 1 << 20
WRAPPER_PREFERENCE = (
    "train",
    "data",
    "examples",
    "records",
    "rows",
    "items",
    "dataset",
    "samples",
    "instances",
)


class JsonSource:
    """Arrays stream through `ArraySplitter` into the JSON Lines parser; objects are parsed whole (orjson)."""

    row_label = "row"

    def __init__(self, info: SourceInfo) -> None:
        self.info = info
        self.streaming = info.head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
        self.unit = "bytes" if self.streaming else "rows"
        self._records: list[Any] | None = None
        self.layout = "array" if self.streaming else ""  # "columns" | "wrapped:<key>" | "single" for objects

    @property
    def total(self) -> int:
        return self.info.size if self.streaming else len(self.records)

    @property
    def records(self) -> list[Any]:
        if self._records is None:
            self._records, self.layout = self._parse()
        return self._records

    def head(self, n: int) -> Head:
        if self.streaming:
            return self._stream_head(n)
        head = Head([])
        for i, value in enumerate(self.records, start=1):
            if isinstance(value, dict):
                head.records.append(value)
            else:
                head.bad_rows.append(BadRow(i, _not_object(value)))
            if len(head.records) >= n or len(head.bad_rows) >= n:
                break
        return head

    def batches(
        self, columns: Sequence[str], bad_rows: list[BadRow], slow: bool = False
    ) -> Iterator[RawBatch]:
        if self.streaming:
            yield from self._stream_batches(bad_rows, slow)
            return
        records = self.records
        for start in range(0, len(records), BATCH_ROWS):
            chunk = records[start : start + BATCH_ROWS]
            good, rows = [], []
            for i, value in enumerate(chunk, start=start + 1):
                if isinstance(value, dict):
                    good.append(value)
                    rows.append(i)
                else:
                    bad_rows.append(BadRow(i, _not_object(value)))
            yield RawBatch(np.asarray(rows, np.int64), records=good, done=start + len(chunk))

    def _stream_head(self, n: int) -> Head:
        head = Head([])
        splitter = ArraySplitter(str(self.info.path))
        row = 0
        for text, done in iter_array_lines(self.info.path, splitter, HEAD_CHUNK):
            for line in text.split(b"\n"):
                if not line.strip():
                    continue
                row += 1
                value, error = parse_record(line)
                if error:
                    head.bad_rows.append(BadRow(row, _record_reason(error)))
                else:
                    head.records.append(value)
            if len(head.records) >= n or len(head.bad_rows) >= n:
                break
            if done > HEAD_BYTES_BUDGET and head.records:
                break
        lines = splitter.record_lines
        for bad in head.bad_rows:
            bad.line = int(lines[bad.row - 1]) if bad.row <= len(lines) else None
        return head

    def _stream_batches(self, bad_rows: list[BadRow], slow: bool) -> Iterator[RawBatch]:
        splitter = ArraySplitter(str(self.info.path))
        first = 1
        for text, done in iter_array_lines(self.info.path, splitter, BATCH_BYTES):
            known = len(bad_rows)
            lines = text.count(b"\n") + (0 if text.endswith(b"\n") else 1)
            batch = None if slow else parse_fast(text, first, lines)
            if batch is None:
                batch = parse_slow(text, first, bad_rows)
            record_lines = splitter.record_lines
            for bad in bad_rows[known:]:
                bad.reason = _record_reason(bad.reason)
                bad.line = int(record_lines[bad.row - 1]) if bad.row <= len(record_lines) else None
            batch.done = done
            first += lines
            yield batch

    def _parse(self) -> tuple[list[Any], str]:
        data = self.info.path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            text = data.decode("utf-8", errors="replace")
            try:
                document = orjson.loads(text) if "\ufffd" in text else None
            except orjson.JSONDecodeError:
                document = None
            if document is None:
                raise self._invalid(error) from None
        del data
        return _find_records(document, str(self.info.path))

    def _invalid(self, error: orjson.JSONDecodeError) -> DataFormatError:
        line, col = getattr(error, "lineno", None), getattr(error, "colno", None)
        hint = ""
        if any(word in str(error).lower() for word in ("trailing", "after document")):
            hint = " (several JSON values one after another: is this JSON Lines? then name it .jsonl)"
        return DataFormatError(
            clip(
                f"Not valid JSON: {getattr(error, 'msg', error)}"
                + (f" at column {col}" if col else "")
                + hint
            ),
            fix="Fix the JSON at that position (a missing comma, quote or bracket is typical) and import again.",
            file=str(self.info.path),
            line=line,
        )


def _find_records(document: Any, file: str) -> tuple[list[Any], str]:
    if isinstance(document, list):
        return document, "array"
    if not isinstance(document, dict):
        raise DataFormatError(
            f"The JSON file holds {type_name(document)}, not records",
            fix="Use an array of objects [{...}, {...}] or JSON Lines (one object per line).",
            file=file,
        )
    if not document:
        return [], "single"
    values = list(document.values())
    if all(isinstance(v, list) for v in values) and not _is_conversation(values):
        lists = [k for k, v in document.items() if any(isinstance(x, dict) for x in v[:20])]
        if not lists:
            return _columns_to_records(document, file), "columns"
        if len(lists) == 1:
            return document[lists[0]], f"wrapped:{lists[0]}"
    record_lists = {k: v for k, v in document.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    if record_lists and not _is_conversation(list(record_lists.values())):
        key = next((k for k in WRAPPER_PREFERENCE if k in record_lists), None)
        key = key or max(record_lists, key=lambda k: len(record_lists[k]))
        return record_lists[key], f"wrapped:{key}"
    return [document], "single"


def _is_conversation(values: list[Any]) -> bool:
    """{"messages": [{"role": ..., "content": ...}]} is one conversation, not a list of records."""
    for value in values:
        if isinstance(value, list) and value and isinstance(value[0], dict):
            keys = set(value[0])
            if keys & set(ROLE_KEYS) and keys & set(CONTENT_KEYS) and len(keys) <= 4:
                return True
    return False


def _columns_to_records(document: dict[str, list[Any]], file: str) -> list[dict[str, Any]]:
    lengths = {k: len(v) for k, v in document.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"'{k}' has {n}" for k, n in lengths.items())
        raise DataFormatError(
            f"The JSON object looks column-oriented but its arrays differ in length ({described})",
            fix="Give every column the same number of values, or store the data as an array of records.",
            file=file,
        )
    keys = list(document)
    return [dict(zip(keys, values, strict=True)) for values in zip(*document.values(), strict=True)]


def _record_reason(reason: str) -> str:
    """Reword a JSON Lines reason for an array element (columns refer to the rewritten line, so drop them)."""
    return re.sub(r" \(column \d+\)", "", reason.replace("on each line", "for each record"))


def _not_object(value: Any) -> str:
    return f"expected a JSON object ({{...}}) for each record, found {type_name(value)}"
