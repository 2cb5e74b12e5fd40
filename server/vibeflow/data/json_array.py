"""Stream a top-level JSON array as JSON Lines (one element per line) so big arrays never become Python lists.

The scan is vectorised with numpy per ~16 MB chunk and carries only three values between chunks (inside a
string?, trailing backslashes, bracket depth). Raw line breaks are never legal inside JSON strings, so they
become spaces; the array's own brackets become spaces and its top-level commas become line breaks. Element
k is then line k, which the JSON Lines reader parses with pyarrow, and `record_lines` maps k back to the
element's first line in the original file for error messages.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from vibeflow.errors import DataFormatError

QUOTE, BACKSLASH, COMMA = 34, 92, 44
OPENERS, CLOSERS = (91, 123), (93, 125)  # [ {   ] }
NEWLINE, RETURN, SPACE = 10, 13, 32
WHITESPACE = (SPACE, NEWLINE, RETURN, 9)


def _table(codes: tuple[int, ...]) -> np.ndarray:
    """A 256-entry lookup table: indexing it with a uint8 array is a fast membership test."""
    table = np.zeros(256, bool)
    table[list(codes)] = True
    return table


IS_STRUCTURAL = _table((*OPENERS, *CLOSERS, COMMA))
IS_OPENER = _table(OPENERS)
IS_CLOSER = _table(CLOSERS)
IS_SPACE = _table(WHITESPACE)


class ArraySplitter:
    """Feed the file's bytes in order; get back the same bytes rewritten as one array element per line."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.in_string = False
        self.backslashes = 0  # backslashes ending the previous chunk (they may escape its first quote)
        self.depth = 0
        self.line = 1  # source line at the start of the next chunk
        self.opened = False
        self.closed = False
        self.records = 0
        self._starts: list[np.ndarray] = []
        self._pending = 0

    @property
    def record_lines(self) -> np.ndarray:
        """Source line of each element seen so far (element k is at index k - 1)."""
        return np.concatenate(self._starts) if self._starts else np.zeros(0, np.int64)

    def feed(self, chunk: bytes) -> bytes:
        a = np.frombuffer(chunk, np.uint8)
        if self.closed:
            self._check_tail(a, 0)
            self.line += int(np.count_nonzero(a == NEWLINE))
            return b" " * len(a)
        quotes = np.flatnonzero(a == QUOTE)
        real = quotes[_backslash_runs(a, quotes, self.backslashes) % 2 == 0]
        structural = np.flatnonzero(IS_STRUCTURAL[a])
        outside = (np.searchsorted(real, structural) + self.in_string) % 2 == 0
        structural = structural[outside]
        chars = a[structural]
        delta = IS_OPENER[chars].astype(np.int64) - IS_CLOSER[chars]
        after = self.depth + np.cumsum(delta)
        before = after - delta
        newlines = np.flatnonzero(a == NEWLINE)
        if len(before) and before.min() == 0:
            self._check_top_level(a, structural, chars, before, after, newlines)
        separators = structural[(chars == COMMA) & (before == 1)]
        opens = structural[(chars == 91) & (before == 0)]
        closes = structural[(chars == 93) & (after == 0)]
        self._resolve_pending(a, newlines)
        starts = np.concatenate([opens, separators])
        if len(starts):
            first = _next_non_space(a, starts + 1)
            resolved = first[first < len(a)]
            self._starts.append(self.line + np.searchsorted(newlines, resolved))
            self._pending = len(first) - len(resolved)  # elements that start in a later chunk
            self.records += len(starts)
        out = a.copy()
        out[(a == NEWLINE) | (a == RETURN)] = SPACE
        out[separators] = NEWLINE
        out[opens] = SPACE
        out[closes] = SPACE
        if len(opens):
            self.opened = True
        if len(closes):
            self.closed = True
            self._check_tail(a, int(closes[-1]) + 1)
        self.depth = int(after[-1]) if len(after) else self.depth
        self.in_string = bool((self.in_string + len(real)) % 2)
        self.backslashes = _trailing_backslashes(a, self.backslashes)
        self.line += len(newlines)
        return out.tobytes()

    def _resolve_pending(self, a: np.ndarray, newlines: np.ndarray) -> None:
        if not self._pending:
            return
        text = np.flatnonzero(~IS_SPACE[a])
        if text.size:
            line = self.line + int(np.searchsorted(newlines, text[0]))
            self._starts.append(np.full(self._pending, line, np.int64))
            self._pending = 0

    def finish(self) -> None:
        """Raise if the array was never opened or closed (a truncated file or an unclosed string)."""
        if self._pending:
            self._starts.append(np.full(self._pending, self.line, np.int64))
            self._pending = 0
        if not self.closed:
            last = int(self._starts[-1][-1]) if self._starts and len(self._starts[-1]) else 1
            what = "a string is never closed" if self.in_string else "the array is never closed with ]"
            raise DataFormatError(
                f"The JSON array is not complete: {what} (the last element starts on line {last})",
                fix="The file may be truncated: export it again, or close the string/array at the end.",
                file=self.file,
                line=last,
            )

    def _check_top_level(
        self,
        a: np.ndarray,
        structural: np.ndarray,
        chars: np.ndarray,
        before: np.ndarray,
        after: np.ndarray,
        newlines: np.ndarray,
    ) -> None:
        top = np.flatnonzero(before == 0)
        bad = [i for i in top if not (chars[i] == 91 and not self.opened and i == top[0])]
        negative = np.flatnonzero(after < 0)
        if negative.size:
            bad.append(int(negative[0]))
        if bad:
            position = int(structural[min(bad)])
            line = self.line + int(np.searchsorted(newlines, position))
            raise DataFormatError(
                f"Not valid JSON: unexpected '{chr(a[position])}' outside the top-level array on line {line}",
                fix="Fix the brackets around that line so the file is one array [ {...}, {...} ].",
                file=self.file,
                line=line,
            )

    def _check_tail(self, a: np.ndarray, start: int) -> None:
        tail = a[start:]
        junk = np.flatnonzero(~IS_SPACE[tail])
        if junk.size:
            position = start + int(junk[0])
            line = self.line + int(np.count_nonzero(a[:position] == NEWLINE))
            raise DataFormatError(
                f"Not valid JSON: unexpected content after the end of the top-level array on line {line}",
                fix="Remove what follows the closing ] (or merge it into the array).",
                file=self.file,
                line=line,
            )


def iter_array_lines(path: Path, splitter: ArraySplitter, chunk_bytes: int) -> Iterator[tuple[bytes, int]]:
    """Yield (converted text ending at a line break, source bytes read so far) for a JSON array file."""
    carry = b""
    done = 0
    with path.open("rb") as f:
        while chunk := f.read(chunk_bytes):
            if done == 0 and chunk.startswith(codecs.BOM_UTF8):
                chunk = b"   " + chunk[3:]
            done += len(chunk)
            text = carry + splitter.feed(chunk)
            cut = text.rfind(b"\n") + 1
            carry = text[cut:]
            if cut:
                yield text[:cut], done
    splitter.finish()
    if carry.strip():
        yield carry, done


def _backslash_runs(a: np.ndarray, positions: np.ndarray, carried: int) -> np.ndarray:
    """Number of consecutive backslashes right before each position (continuing from the previous chunk)."""
    runs = np.zeros(len(positions), np.int64)
    active = np.ones(len(positions), bool)
    k = 1
    while active.any():
        before = positions - k
        in_chunk = before >= 0
        at_start = active & ~in_chunk
        runs[at_start] += carried
        active &= in_chunk
        is_backslash = np.zeros(len(positions), bool)
        is_backslash[active] = a[before[active]] == BACKSLASH
        runs += is_backslash
        active &= is_backslash
        k += 1
    return runs


def _trailing_backslashes(a: np.ndarray, carried: int) -> int:
    count = 0
    while count < len(a) and a[len(a) - 1 - count] == BACKSLASH:
        count += 1
    return count + carried if count == len(a) else count


def _next_non_space(a: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """First non-whitespace position at or after each position (capped at the chunk end)."""
    result = np.minimum(positions, len(a))
    for _ in range(256):
        inside = result < len(a)
        if not inside.any():
            break
        blank = np.zeros(len(result), bool)
        blank[inside] = IS_SPACE[a[result[inside]]]
        if not blank.any():
            break
        result[blank] += 1
    return result
