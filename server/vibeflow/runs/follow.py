"""Reads whole lines appended to a file since the last read, remembering the byte offset between calls."""

from __future__ import annotations

from pathlib import Path

MAX_READ = 4 << 20


class LineTail:
    """Incremental reader of a growing text file; a trailing partial line waits for its newline."""

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self.offset = offset

    def read(self, final: bool = False) -> list[str]:
        """New complete lines; with `final`, a last line without newline is returned too (writer is gone)."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read(MAX_READ)
        except FileNotFoundError:
            return []
        if not chunk:
            return []
        end = chunk.rfind(b"\n") + 1
        if (final and len(chunk) < MAX_READ) or (end == 0 and len(chunk) == MAX_READ):
            end = len(chunk)  # the writer is gone, or one absurdly long line: take it as is
        self.offset += end
        return chunk[:end].decode("utf-8", errors="replace").splitlines()
