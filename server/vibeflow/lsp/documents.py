"""Open documents as lists of lines updated in place by incremental edits, so a 100K-line file costs O(edit).

pygls keeps each document as one string and rebuilds it on every change (O(file)); we replace its built-in
sync with this store. Lines are kept without terminators; LSP positions are converted from the client's
position encoding (UTF-16 by default) to Python string indices per line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vibeflow.lsp.errors import DocumentSyncError

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


def split_lines(text: str) -> list[str]:
    """Split on LSP line breaks only (\\r\\n, \\n, \\r), unlike str.splitlines which knows a dozen more."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def to_index(line: str, column: int, encoding: str = UTF16) -> int:
    """Python index in `line` of a client column counted in `encoding` code units (clamped to the line)."""
    if column <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(column, len(line))
    units = 0
    for index, char in enumerate(line):
        if units >= column:
            return index
        code = ord(char)
        if encoding == UTF8:
            units += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        else:
            units += 2 if code >= 0x10000 else 1
    return len(line)


def to_column(line: str, index: int, encoding: str = UTF16) -> int:
    """Client column (in `encoding` code units) of Python index `index` in `line`."""
    index = max(0, min(index, len(line)))
    if encoding == UTF32 or line.isascii():
        return index
    head = line[:index]
    if encoding == UTF8:
        return len(head.encode("utf-8", "surrogatepass"))
    return len(head) + sum(1 for char in head if ord(char) >= 0x10000)


@dataclass
class Edit:
    """What one change did: lines [start, start + removed) were replaced by `added` new lines."""

    start: int
    removed: int
    added: int

    @property
    def delta(self) -> int:
        return self.added - self.removed


@dataclass
class LineDocument:
    """One open document: its URI, version, language and lines (without terminators)."""

    uri: str
    version: int
    language_id: str
    lines: list[str]
    encoding: str = UTF16
    eol: str = "\n"
    kind: str = ""  # "recipe", "dataset" or "" (not ours); set by the server when it classifies the file
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_text(
        cls, uri: str, version: int, language_id: str, text: str, encoding: str = UTF16
    ) -> LineDocument:
        newline = text.find("\n")
        eol = "\r\n" if newline > 0 and text[newline - 1] == "\r" else "\n"
        return cls(uri, version, language_id, split_lines(text), encoding, eol)

    @property
    def text(self) -> str:
        return self.eol.join(self.lines)

    def line(self, number: int) -> str:
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def index(self, line: int, column: int) -> int:
        return to_index(self.line(line), column, self.encoding)

    def column(self, line: int, index: int) -> int:
        return to_column(self.line(line), index, self.encoding)

    def replace_all(self, text: str) -> Edit:
        removed = len(self.lines)
        self.lines = split_lines(text)
        return Edit(0, removed, len(self.lines))

    def apply(self, start: tuple[int, int], end: tuple[int, int], text: str) -> Edit:
        """Replace the range start..end (client line/column pairs) with `text`."""
        last = len(self.lines) - 1
        (start_line, start_col), (end_line, end_col) = start, end
        if start_line < 0 or end_line < start_line or (end_line == start_line and end_col < start_col):
            raise DocumentSyncError(
                f"invalid change range {start}..{end} in {self.uri}",
                fix="the editor and server are out of sync: close and reopen the file",
            )
        if start_line > last:  # past the end: append at the end of the document
            start_line, start_col = last, len(self.lines[last]) if self.lines else 0
        if end_line > last:
            end_line, end_col = last, len(self.lines[last]) if self.lines else 0
            end_index = len(self.lines[end_line]) if self.lines else 0
        else:
            end_index = self.index(end_line, end_col)
        if not self.lines:
            self.lines = [""]
        head = self.lines[start_line][: self.index(start_line, start_col)]
        tail = self.lines[end_line][end_index:]
        new = split_lines(text) if ("\n" in text or "\r" in text) else [text]
        new[0] = head + new[0]
        new[-1] = new[-1] + tail
        self.lines[start_line : end_line + 1] = new
        return Edit(start_line, end_line - start_line + 1, len(new))


class DocumentStore:
    """The open documents by URI."""

    def __init__(self) -> None:
        self._docs: dict[str, LineDocument] = {}

    def open(self, doc: LineDocument) -> LineDocument:
        self._docs[doc.uri] = doc
        return doc

    def close(self, uri: str) -> LineDocument | None:
        return self._docs.pop(uri, None)

    def get(self, uri: str) -> LineDocument | None:
        return self._docs.get(uri)

    def require(self, uri: str) -> LineDocument:
        doc = self._docs.get(uri)
        if doc is None:
            raise DocumentSyncError(f"document {uri} is not open", fix="open the file in the editor first")
        return doc

    def all(self) -> list[LineDocument]:
        return list(self._docs.values())
