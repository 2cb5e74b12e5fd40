"""The issue records of a quality report: what is wrong, how bad, which source rows, and the one-click fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vibeflow.data.quality.thresholds import ROWS_LISTED

KINDS = (
    "missing",
    "duplicate",
    "near_duplicate",
    "too_short",
    "too_long",
    "over_context",
    "length_imbalance",
    "encoding",
    "language_mismatch",
    "pii",
    "leakage",
    "size",
)
SEVERITIES = ("info", "warning", "error")


@dataclass
class Issue:
    kind: str
    severity: str
    count: int
    message: str
    fix: str | None = None  # name of the op in vibeflow.data.fixes.FIXES that resolves it, if any
    suggestion: str = ""  # what to do when there is no one-click fix (or in addition to it)
    rows: list[int] = field(default_factory=list)  # 1-based source row numbers (first ROWS_LISTED)
    rows_truncated: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "count": self.count,
            "message": self.message,
            "fix": self.fix,
            "suggestion": self.suggestion,
            "rows": self.rows,
            "rows_truncated": self.rows_truncated,
            "details": self.details,
        }


def source_rows(
    mask: np.ndarray, row_numbers: np.ndarray, limit: int = ROWS_LISTED
) -> tuple[list[int], bool]:
    """Sorted source row numbers where `mask` is set: the first `limit`, and whether more exist."""
    rows = np.sort(row_numbers[mask])
    return rows[:limit].tolist(), len(rows) > limit


def percent(count: int, total: int) -> str:
    share = 100.0 * count / total if total else 0.0
    return f"{share:.1f}%" if share >= 0.1 or count == 0 else "<0.1%"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def verb(count: int, singular: str, plural_form: str) -> str:
    return singular if count == 1 else plural_form
