"""Typed errors that carry a user-facing message, where it happened, and the fix, so no caller prints a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class VibeFlowError(Exception):
    """Base error: `message` says what is wrong, `fix` says what to do; `file`/`line` point at the culprit."""

    message: str
    fix: str = ""
    file: str | None = None
    line: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    http_status: int = 400

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def __str__(self) -> str:
        head = f"{self.where()}: {self.message}" if self.where() else self.message
        return f"{head}\n  fix: {self.fix}" if self.fix else head

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "message": self.message,
            "fix": self.fix,
            "file": self.file,
            "line": self.line,
            "details": self.details,
        }


class DataFormatError(VibeFlowError):
    """The file cannot be read as a dataset (broken JSON/CSV, binary, empty, wrong encoding)."""


class MappingError(VibeFlowError):
    """Input/output columns could not be detected confidently or the given mapping is invalid."""


class BadRowsError(DataFormatError):
    """Some rows are broken and the rest are fine: the user must accept skipping them."""


class NotFoundError(VibeFlowError):
    """A dataset, version, run or other stored object does not exist."""

    def __post_init__(self) -> None:
        self.http_status = 404
        super().__post_init__()


class ConfigError(VibeFlowError):
    """A setting or recipe value is invalid."""
