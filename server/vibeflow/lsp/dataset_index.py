"""Per-line state of an open dataset (duplicate key, issues, what is checked) kept in step with every edit.

An edit splices the per-line arrays (O(lines touched) plus a pointer memmove) and re-checks only the new
lines. A sorted list of the lines that have anything to report (`marked`) is shifted with each edit, so
building diagnostics costs O(lines with issues), not O(file); the duplicate index counts keys, and
"duplicate of line N" is resolved while walking the marked lines in order.
Background passes (`basic_pass`, `deep_pass`) walk lines still unchecked, in chunks, and survive edits
because their cursors shift with the lines.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from vibeflow.lsp.dataset_rows import (
    DUPLICATE,
    WARNING,
    Counter,
    Issue,
    RowSchema,
    Spans,
    check_basic,
    check_deep,
)
from vibeflow.lsp.documents import Edit

BASIC_DONE = 1
DEEP_DONE = 2


@dataclass
class Snapshot:
    """The issues to publish, in line order, and how many exist in total (the list may be capped)."""

    items: list[tuple[int, Issue]]
    total: int
    records: int
    duplicates: int


class DatasetIndex:
    """Arrays indexed by line: dup key, basic issues, deep issues, and a bitmask of the checks done."""

    def __init__(self, schema: RowSchema) -> None:
        self.schema = schema
        self.keys: list[str | None] = []
        self.basic: list[tuple[Issue, ...] | None] = []
        self.deep: list[tuple[Issue, ...] | None] = []
        self.state = bytearray()
        self.counts: dict[str, int] = {}
        self.dup_keys: set[str] = set()
        self.marked: list[int] = []  # sorted lines with issues or a duplicated key
        self._pending: set[str] = (
            set()
        )  # keys that became duplicates during a bulk pass, lines not yet marked
        self._bulk = False
        self.basic_cursor = 0
        self.deep_cursor = 0
        self.count_tokens: Counter | None = None
        self.find_pii: Callable[[list[str]], list[Spans]] | None = None
        self.token_label = "tokens"
        self.deep_enabled = False

    # -- bookkeeping -------------------------------------------------------------------------------------
    def reset(self, line_count: int) -> None:
        self.keys = [None] * line_count
        self.basic = [None] * line_count
        self.deep = [None] * line_count
        self.state = bytearray(line_count)
        self.counts.clear()
        self.dup_keys.clear()
        self.marked = []
        self._pending.clear()
        self.basic_cursor = self.deep_cursor = 0

    def _mark(self, line: int) -> None:
        pos = bisect.bisect_left(self.marked, line)
        if pos == len(self.marked) or self.marked[pos] != line:
            self.marked.insert(pos, line)

    def _unmark(self, line: int) -> None:
        pos = bisect.bisect_left(self.marked, line)
        if pos < len(self.marked) and self.marked[pos] == line:
            del self.marked[pos]

    def _add_key(self, key: str, line: int) -> None:
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        if count == 2:
            self.dup_keys.add(key)
            if self._bulk:  # one scan for all new duplicates at the end beats one scan per duplicate
                self._pending.add(key)
                return
            other = self.keys.index(key)
            if other == line:
                other = self.keys.index(key, line + 1)
            self._mark(other)
        if count >= 2:
            self._mark(line)

    def _resolve_pending(self) -> None:
        """Mark every line of the keys that became duplicates during a bulk pass (one O(lines) scan)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, set()
        found = [i for i, key in enumerate(self.keys) if key is not None and key in pending]
        self.marked = sorted(set(self.marked).union(found))

    def _drop_keys(self, dropped: list[str]) -> None:
        """Forget occurrences (already removed from `keys`); unmark the last copy of a key now unique."""
        removed: dict[str, int] = {}
        for key in dropped:
            removed[key] = removed.get(key, 0) + 1
        for key, n in removed.items():
            count = self.counts.get(key, 0) - n
            if count <= 0:
                self.counts.pop(key, None)
                self.dup_keys.discard(key)
                self._pending.discard(key)
                continue
            self.counts[key] = count
            if count == 1 and key in self.dup_keys:
                self.dup_keys.discard(key)
                self._pending.discard(key)
                remaining = self.keys.index(key)
                if not self.basic[remaining] and not self.deep[remaining]:
                    self._unmark(remaining)

    @staticmethod
    def _shift(cursor: int, edit: Edit) -> int:
        if cursor <= edit.start:
            return cursor
        if cursor >= edit.start + edit.removed:
            return cursor + edit.delta
        return edit.start + edit.added

    def splice(self, edit: Edit) -> None:
        """Replace the state of the edited lines with unchecked placeholders."""
        s, end, added = edit.start, edit.start + edit.removed, edit.added
        dropped = [key for key in self.keys[s:end] if key is not None]
        lo, hi = bisect.bisect_left(self.marked, s), bisect.bisect_left(self.marked, end)
        tail = self.marked[hi:]
        self.marked[lo:] = [line + edit.delta for line in tail] if edit.delta else tail
        self.keys[s:end] = [None] * added
        self.basic[s:end] = [None] * added
        self.deep[s:end] = [None] * added
        self.state[s:end] = bytes(added)
        self._drop_keys(dropped)
        self.basic_cursor = self._shift(self.basic_cursor, edit)
        self.deep_cursor = self._shift(self.deep_cursor, edit)

    # -- checks ------------------------------------------------------------------------------------------
    def check_basic_line(self, lines: list[str], i: int) -> None:
        key, issues = check_basic(lines[i], self.schema)
        self.keys[i] = key
        self.basic[i] = issues
        self.state[i] |= BASIC_DONE
        if issues:
            self._mark(i)
        if key is not None:
            self._add_key(key, i)

    def _deep_tokens(self) -> Counter | None:
        return self.count_tokens

    def check_deep_lines(self, lines: list[str], todo: list[int]) -> None:
        """Deep-check the given lines (one batch through the PII finder)."""
        if not todo:
            return
        spans = self.find_pii([lines[i] for i in todo]) if self.find_pii else [[] for _ in todo]
        counter = self._deep_tokens()
        for i, found in zip(todo, spans, strict=True):
            self.deep[i] = issues = check_deep(lines[i], self.schema, counter, found, self.token_label)
            self.state[i] |= DEEP_DONE
            if issues:
                self._mark(i)

    def basic_pass(self, lines: list[str], budget: int) -> bool:
        """Check up to `budget` unchecked lines from the cursor; True when every line has been checked."""
        i, n, state = self.basic_cursor, len(lines), self.state
        stop = min(n, i + budget)
        self._bulk = True
        try:
            while i < stop:
                if not state[i] & BASIC_DONE:
                    self.check_basic_line(lines, i)
                i += 1
            self.basic_cursor = i
            if i >= n:
                for j in [j for j, s in enumerate(state) if not s & BASIC_DONE]:
                    self.check_basic_line(lines, j)
        finally:
            self._bulk = False
        if i >= n:
            self._resolve_pending()
            return True
        return False

    def deep_pass(self, lines: list[str], budget: int) -> bool:
        """Deep-check up to `budget` lines from the cursor; True when every line has been deep-checked."""
        i, n, state = self.deep_cursor, len(lines), self.state
        stop = min(n, i + budget)
        self.check_deep_lines(lines, [j for j in range(i, stop) if not state[j] & DEEP_DONE])
        self.deep_cursor = stop
        if stop >= n:
            self.check_deep_lines(lines, [j for j, s in enumerate(state) if not s & DEEP_DONE])
            return True
        return False

    def apply_edit(self, edit: Edit, lines: list[str]) -> None:
        """Splice and re-check the new lines at once (both kinds of check once deep checks are on)."""
        self._resolve_pending()
        self.splice(edit)
        new = range(edit.start, edit.start + edit.added)
        for i in new:
            self.check_basic_line(lines, i)
        if self.deep_enabled:
            self.check_deep_lines(lines, list(new))

    # -- reading -----------------------------------------------------------------------------------------
    def duplicate_lines(self) -> Iterator[tuple[int, int]]:
        """(line, first line with the same record) for every duplicate after its first occurrence."""
        self._resolve_pending()
        dup, keys = self.dup_keys, self.keys
        if not dup:
            return
        first: dict[str, int] = {}
        for i in self.marked:
            key = keys[i]
            if key is None or key not in dup:
                continue
            if key in first:
                yield i, first[key]
            else:
                first[key] = i

    def issues_at(self, line: int) -> list[Issue]:
        """Every issue on one line, the duplicate one included (for hovers and code actions)."""
        if not 0 <= line < len(self.keys):
            return []
        found = [*(self.basic[line] or ()), *(self.deep[line] or ())]
        key = self.keys[line]
        if key is not None and key in self.dup_keys:
            first = self.keys.index(key)
            if first != line:
                found.append(_duplicate_issue(first, self.counts[key]))
        return found

    def snapshot(self, limit: int) -> Snapshot:
        """Issues in line order (at most `limit`), walking only the marked lines."""
        self._resolve_pending()
        basic, deep, keys, dup, counts = self.basic, self.deep, self.keys, self.dup_keys, self.counts
        first: dict[str, int] = {}
        items: list[tuple[int, Issue]] = []
        total = duplicates = 0
        for i in self.marked:
            found = [*(basic[i] or ()), *(deep[i] or ())]
            key = keys[i]
            if key is not None and key in dup:
                if key in first:
                    found.append(_duplicate_issue(first[key], counts[key]))
                    duplicates += 1
                else:
                    first[key] = i
            total += len(found)
            for issue in found:
                if len(items) < limit:
                    items.append((i, issue))
        return Snapshot(items, total, self.record_count(), duplicates)

    def record_count(self) -> int:
        return sum(self.counts.values())

    def record_range(self, line: int) -> tuple[int, int]:
        """(first line, last line) of the record starting at `line` (one line for JSONL)."""
        return line, line


def _duplicate_issue(first: int, count: int) -> Issue:
    others = f" ({count} copies in this file)" if count > 2 else ""
    return Issue(
        DUPLICATE,
        f"exact duplicate of line {first + 1}{others}",
        WARNING,
        0,
        -1,
        {"first": first, "copies": count},
    )


class JsonlIndex(DatasetIndex):
    """JSONL: every line is one record, so every check is line-local and edits are re-checked in place."""
