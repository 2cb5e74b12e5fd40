"""Profile each source column from a sample of rows (text, chat, numbers, ids, categories) so mapping can use content."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

ROLE_KEYS = ("role", "from", "speaker", "author", "sender")
CONTENT_KEYS = ("content", "value", "text", "message")

_NUMBER = re.compile(r"^\s*[-+]?(\d[\d,_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?%?\s*$")
_BOOL_WORDS = {"true", "false", "yes", "no", "y", "n", "t", "f"}


@dataclass(frozen=True)
class ColumnProfile:
    """What one column holds in the sample: `kind` is text | chat | number | bool | category | id | json | empty."""

    name: str
    kind: str
    filled: float  # share of sample rows with a non-empty value
    avg_length: float  # mean characters of the non-empty values (as text)
    distinct: int  # distinct non-empty values
    chat_style: str | None = None  # "openai" (role/content) or "sharegpt" (from/value) for chat columns

    @property
    def is_text(self) -> bool:
        return self.kind == "text"

    def describe(self) -> str:
        extra = f", {self.chat_style} chat" if self.chat_style else ""
        return f"{self.name} ({self.kind}{extra}, {self.filled:.0%} filled, ~{self.avg_length:.0f} chars)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "filled": round(self.filled, 3),
            "avg_length": round(self.avg_length, 1),
            "distinct": self.distinct,
            "chat_style": self.chat_style,
        }


def column_names(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Union of the keys of `rows`, in order of first appearance."""
    names: dict[str, None] = {}
    for row in rows:
        for key in row:
            names.setdefault(key, None)
    return list(names)


def profile_columns(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[str, ColumnProfile]:
    return {name: profile_column(name, [row.get(name) for row in rows]) for name in names}


def profile_column(name: str, values: Sequence[Any]) -> ColumnProfile:
    present = [v for v in values if not _is_missing(v)]
    total = max(len(values), 1)
    filled = len(present) / total
    if not present:
        return ColumnProfile(name, "empty", 0.0, 0.0, 0)
    style = chat_style(present)
    texts = [v if isinstance(v, str) else _as_text(v) for v in present]
    avg = sum(len(t) for t in texts) / len(texts)
    distinct = len(set(texts))
    if style:
        return ColumnProfile(name, "chat", filled, avg, distinct, style)
    return ColumnProfile(name, _scalar_kind(present, texts, distinct), filled, avg, distinct)


def chat_style(values: Sequence[Any]) -> str | None:
    """Return "openai"/"sharegpt" when most values are lists of role/content messages, else None."""
    styles = {"openai": 0, "sharegpt": 0, "other": 0}
    checked = 0
    for value in values[:200]:
        conversation = as_conversation(value)
        if conversation is None:
            return None
        checked += 1
        for message in conversation[:4]:
            if "from" in message and "value" in message:
                styles["sharegpt"] += 1
            elif "role" in message and ("content" in message or "tool_calls" in message):
                styles["openai"] += 1
            elif any(k in message for k in ROLE_KEYS) and any(k in message for k in CONTENT_KEYS):
                styles["other"] += 1
            else:
                return None
    if not checked or not any(styles.values()):
        return None
    return "sharegpt" if styles["sharegpt"] > styles["openai"] + styles["other"] else "openai"


def as_conversation(value: Any) -> list[dict[str, Any]] | None:
    """`value` as a list of message dicts (a JSON string of one counts), or None when it is not one."""
    if isinstance(value, str):
        stripped = value.lstrip()
        if not stripped.startswith("["):
            return None
        try:
            value = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return None
    if isinstance(value, list) and value and all(isinstance(m, dict) for m in value):
        return value
    return None


def _scalar_kind(present: list[Any], texts: list[str], distinct: int) -> str:
    n = len(present)
    if sum(isinstance(v, (dict, list)) for v in present) > n / 2:
        return "json"
    if all(isinstance(v, bool) for v in present) or all(t.strip().lower() in _BOOL_WORDS for t in texts):
        return "bool"
    numeric = sum(
        isinstance(v, (int, float)) and not isinstance(v, bool) or bool(_NUMBER.match(t))
        for v, t in zip(present, texts, strict=True)
    )
    if numeric >= 0.9 * n:
        return "number"
    avg = sum(len(t) for t in texts) / n
    spaced = sum(" " in t.strip() for t in texts) / n
    digits = sum(any(c.isdigit() for c in t) for t in texts) / n
    if n >= 5 and distinct >= 0.98 * n and spaced < 0.05 and digits >= 0.8 and avg <= 64:
        return "id"
    if n >= 10 and distinct <= min(50, 0.3 * n) and avg < 40:
        return "category"
    return "text"


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _as_text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    return str(value)
