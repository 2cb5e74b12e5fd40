"""CSV/TSV and JSON-array datasets: records can span lines, so record checks rebuild on change (debounced).

PII stays line-local and incremental (inherited from DatasetIndex); record-level state (duplicate keys,
missing fields, field-count mismatches, over-long records, invalid JSON) is recomputed from the whole text.
Token counts are cached by record text so a rebuild after an edit only tokenizes what changed.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import json
from typing import Any

from vibeflow.lsp.dataset_index import DatasetIndex
from vibeflow.lsp.dataset_rows import (
    ERROR,
    INVALID_JSON,
    MISSING_FIELD,
    NOT_OBJECT,
    Issue,
    RowSchema,
    check_record,
    infer_schema,
    record_text,
    too_long_issue,
)
from vibeflow.lsp.documents import Edit

TOKEN_CACHE_MAX = 50_000


class TableIndex(DatasetIndex):
    """Shared rebuild machinery: per-record issues are written at the record's lines."""

    def __init__(self, schema: RowSchema) -> None:
        super().__init__(schema)
        self.record_ends: dict[int, int] = {}
        self.dirty = True
        self.infer = schema.source != "recipe"
        self._tokens: dict[str, int] = {}

    def apply_edit(self, edit: Edit, lines: list[str]) -> None:
        self.splice(edit)
        if self.deep_enabled:
            self.check_deep_lines(lines, list(range(edit.start, edit.start + edit.added)))
        self.dirty = True

    def _deep_tokens(self) -> None:
        return None  # record lengths are checked per record in the rebuild, not per line

    def basic_pass(self, lines: list[str], budget: int) -> bool:
        if self.dirty:
            self.rebuild(lines)
        return True

    def _clear_records(self, n: int) -> None:
        self.keys = [None] * n
        self.basic = [None] * n
        self.counts.clear()
        self.dup_keys.clear()
        self.record_ends = {}
        if len(self.state) != n:
            self.state = bytearray(n)
            self.deep = [None] * n

    def _put(self, line: int, issue: Issue) -> None:
        self.basic[line] = (*(self.basic[line] or ()), issue)

    def _length_issue(self, record: Any) -> Issue | None:
        if self.count_tokens is None:
            return None
        text = record_text(record)
        if len(text.encode("utf-8")) + 8 <= self.schema.max_tokens:
            return None
        tokens = self._tokens.get(text)
        if tokens is None:
            if len(self._tokens) > TOKEN_CACHE_MAX:
                self._tokens.clear()
            tokens = self._tokens[text] = self.count_tokens(text)
        return too_long_issue(tokens, self.schema.max_tokens, self.token_label)

    def _record(self, start: int, end: int, key: str, issues: list[Issue]) -> None:
        self.keys[start] = key
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        if count == 2:
            self.dup_keys.add(key)
        if end > start:
            self.record_ends[start] = end
        for issue in issues:
            self._put(start, issue)

    def record_range(self, line: int) -> tuple[int, int]:
        return line, self.record_ends.get(line, line)

    def _remark(self) -> None:
        """Recompute the marked lines after a rebuild (O(lines), like the rebuild itself)."""
        dup, keys, basic, deep = self.dup_keys, self.keys, self.basic, self.deep
        self.marked = [
            i for i in range(len(keys)) if basic[i] or deep[i] or (keys[i] is not None and keys[i] in dup)
        ]

    def rebuild(self, lines: list[str]) -> None:
        self._clear_records(len(lines))
        self._rebuild(lines)
        self._remark()
        self.dirty = False

    def _rebuild(self, lines: list[str]) -> None:
        raise NotImplementedError


class CsvIndex(TableIndex):
    """CSV/TSV: the first record is the header; each later record must have as many fields."""

    def __init__(self, schema: RowSchema, delimiter: str = ",") -> None:
        super().__init__(schema)
        self.delimiter = delimiter
        self.header: list[str] = []

    def _rebuild(self, lines: list[str]) -> None:
        reader = csv.reader(iter(lines), delimiter=self.delimiter)
        start = 0
        records: list[tuple[int, int, list[str]]] = []
        try:
            for row in reader:
                end = reader.line_num - 1
                if row and any(cell.strip() for cell in row):
                    records.append((start, end, row))
                start = reader.line_num
        except csv.Error as error:
            self._put(min(start, len(lines) - 1), Issue(INVALID_JSON, f"CSV syntax error: {error}", ERROR))
        if not records:
            return
        self.header = [h.strip() for h in records[0][2]]
        rows = [dict(zip(self.header, row, strict=False)) for _, _, row in records[1:]]
        if self.infer:
            self.schema = infer_schema(rows, self.schema.max_tokens)
        width = len(self.header)
        for (start, end, row), record in zip(records[1:], rows, strict=True):
            issues: list[Issue] = []
            if len(row) != width:
                issues.append(
                    Issue(NOT_OBJECT, f"row has {len(row)} fields but the header has {width}", ERROR)
                )
            for issue in check_record(lines[start], record, self.schema):
                issues.append(Issue(issue.code, issue.message, issue.severity, 0, -1, issue.data))
            if (length := self._length_issue(record)) is not None:
                issues.append(length)
            self._record(start, end, "\x1f".join(row), issues)


class JsonArrayIndex(TableIndex):
    """JSON: a top-level array of objects, each element located by its character offsets."""

    def __init__(self, schema: RowSchema) -> None:
        super().__init__(schema)
        self.spans: list[tuple[int, int]] = []
        self.starts: list[int] = []

    def _position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def _rebuild(self, lines: list[str]) -> None:
        self.spans = []
        text = "\n".join(lines)
        self.starts = [0, *itertools.accumulate(len(line) + 1 for line in lines)][: len(lines)]
        decoder = json.JSONDecoder()
        index = _skip_ws(text, 0)
        if index >= len(text):
            return
        if text[index] != "[":
            self._put(
                *self._at(
                    index,
                    Issue(NOT_OBJECT, "a JSON dataset must be an array of records: [{...}, ...]", ERROR),
                )
            )
            return
        found: list[tuple[int, int, Any]] = []
        index = _skip_ws(text, index + 1)
        while index < len(text) and text[index] != "]":
            try:
                value, end = decoder.raw_decode(text, index)
            except json.JSONDecodeError as error:
                self._put(*self._at(error.pos, Issue(INVALID_JSON, f"invalid JSON: {error.msg}", ERROR)))
                break
            found.append((index, end, value))
            index = _skip_ws(text, end)
            if index < len(text) and text[index] == ",":
                index = _skip_ws(text, index + 1)
            elif index < len(text) and text[index] != "]":
                self._put(*self._at(index, Issue(INVALID_JSON, "invalid JSON: expected ',' or ']'", ERROR)))
                break
        if self.infer:
            self.schema = infer_schema(
                (v for _, _, v in found if isinstance(v, dict)), self.schema.max_tokens
            )
        for start, end, value in found:
            first, _ = self._position(start)
            last, _ = self._position(max(start, end - 1))
            self.spans.append((start, end))
            issues = [
                i
                for i in check_record(text[start:end], value, self.schema)
                if i.code != MISSING_FIELD or not self._locate_field(start, end, text, i)
            ]
            if (length := self._length_issue(value)) is not None:
                issues.append(length)
            key = json.dumps(value, sort_keys=True, ensure_ascii=False) if isinstance(value, dict) else None
            if key is None:
                for issue in issues:
                    self._put(first, Issue(issue.code, issue.message, issue.severity, 0, -1, issue.data))
                continue
            self._record(
                first, last, key, [Issue(i.code, i.message, i.severity, 0, -1, i.data) for i in issues]
            )
        self.dirty = False

    def _at(self, offset: int, issue: Issue) -> tuple[int, Issue]:
        line, column = self._position(min(offset, self.starts[-1] if self.starts else 0))
        return line, Issue(issue.code, issue.message, issue.severity, column, -1, issue.data)

    def _locate_field(self, start: int, end: int, text: str, issue: Issue) -> bool:
        """Put a missing/empty-field issue on the line of its key when the key is present."""
        name = (issue.data or {}).get("field")
        found = text.find(json.dumps(name), start, end) if name else -1
        if found < 0:
            return False
        line, column = self._position(found)
        self._put(
            line,
            Issue(
                issue.code, issue.message, issue.severity, column, column + len(json.dumps(name)), issue.data
            ),
        )
        return True

    def deletion_offsets(self, line: int) -> tuple[int, int] | None:
        """Character offsets to delete so the array stays valid JSON without the record starting at `line`."""
        for number, (start, end) in enumerate(self.spans):
            if self._position(start)[0] != line:
                continue
            if number > 0:
                return self.spans[number - 1][1], end
            if len(self.spans) > 1:
                return start, self.spans[1][0]
            return start, end
        return None


def _skip_ws(text: str, index: int) -> int:
    n = len(text)
    while index < n and text[index] in " \t\r\n":
        index += 1
    return index
