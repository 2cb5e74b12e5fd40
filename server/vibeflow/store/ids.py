"""Integers as the store can hold them: SQLite's INTEGER (like PostgreSQL's BIGINT) is a signed 64-bit number,
and the driver raises OverflowError (an HTTP 500) on anything larger. Every integer that reaches a query comes
through `MAX_INT` bounds (API parameters and bodies) or `parse_id` (text references such as `NAME@N`)."""

from __future__ import annotations

MAX_INT = 2**63 - 1
MIN_INT = -(2**63)


def parse_id(text: str) -> int | None:
    """`text` as a non-negative store integer, or None when it is not plain ASCII digits within range."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_INT else None
