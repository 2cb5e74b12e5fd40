"""Row-local checks of one dataset record (one JSONL line): the cheap ones on open, the costly ones in the background.

`check_basic` (invalid JSON, not an object, missing field) runs on every line when a file opens and on every
edited line; `check_deep` (too long for the context window, PII/secrets) runs in the background and on
edited lines. Both return columns as Python indices into the raw line so diagnostics land on the exact text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

ERROR, WARNING, INFO = 1, 2, 3

INVALID_JSON = "invalid-json"
NOT_OBJECT = "not-an-object"
MISSING_FIELD = "missing-field"
DUPLICATE = "duplicate"
TOO_LONG = "too-long"
PII = "pii"

CONVERSATION_KEYS = ("messages", "conversations", "conversation")
ASSISTANT_ROLES = ("assistant", "gpt", "bot", "model")
SCHEMA_SAMPLE = 500
REQUIRED_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem on one line; `start`/`end` are Python indices into the line (end -1: to the end)."""

    code: str
    message: str
    severity: int = WARNING
    start: int = 0
    end: int = -1
    data: Mapping[str, Any] | None = None


@dataclass
class RowSchema:
    """What a record of this file must contain, inferred from a sample or taken from the recipe's mapping."""

    required: tuple[str, ...] = ()
    conversation_key: str | None = None
    max_tokens: int = 1024
    source: str = "inferred"
    columns: tuple[str, ...] = field(default_factory=tuple)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def key_span(line: str, key: str) -> tuple[int, int]:
    """Columns of `"key"` in a raw JSON line, or the whole line when it is not found."""
    needle = orjson.dumps(key).decode()
    start = line.find(needle)
    return (start, start + len(needle)) if start >= 0 else (0, -1)


def infer_schema(
    records: Iterable[Mapping[str, Any]],
    max_tokens: int = 1024,
    input_column: str | Sequence[str] | None = None,
    output_column: str | None = None,
) -> RowSchema:
    """Required fields: the recipe's mapping when given, else the keys non-empty in >= 80% of sampled rows."""
    sample = [r for _, r in zip(range(SCHEMA_SAMPLE), records, strict=False)]
    columns = tuple(dict.fromkeys(k for r in sample for k in r))
    conversation = next(
        (
            k
            for k in CONVERSATION_KEYS
            if sum(isinstance(r.get(k), list) for r in sample) >= REQUIRED_SHARE * max(1, len(sample))
        ),
        None,
    )
    if input_column or output_column:
        inputs = [input_column] if isinstance(input_column, str) else list(input_column or [])
        required = tuple(c for c in [*inputs, output_column] if c)
        return RowSchema(required, None, max_tokens, "recipe", columns)
    if conversation:
        return RowSchema((conversation,), conversation, max_tokens, "inferred", columns)
    if not sample:
        return RowSchema((), None, max_tokens, "inferred", columns)
    counts: dict[str, int] = {}
    for record in sample:
        for key, value in record.items():
            if not _is_empty(value):
                counts[key] = counts.get(key, 0) + 1
    required = tuple(k for k in columns if counts.get(k, 0) >= REQUIRED_SHARE * len(sample))
    return RowSchema(required, None, max_tokens, "inferred", columns)


def _conversation_issues(line: str, key: str, value: Any) -> list[Issue]:
    start, end = key_span(line, key)
    if not isinstance(value, list) or not value:
        return [
            Issue(
                MISSING_FIELD,
                f"'{key}' must be a non-empty list of messages",
                ERROR,
                start,
                end,
                {"field": key},
            )
        ]
    issues: list[Issue] = []
    has_answer = False
    for number, message in enumerate(value, 1):
        if not isinstance(message, dict):
            issues.append(
                Issue(
                    MISSING_FIELD,
                    f"message {number} of '{key}' is not an object",
                    ERROR,
                    start,
                    end,
                    {"field": key},
                )
            )
            continue
        role = message.get("role", message.get("from"))
        content = message.get("content", message.get("value"))
        if role in ASSISTANT_ROLES and not _is_empty(content):
            has_answer = True
        if _is_empty(content) and not message.get("tool_calls"):
            issues.append(
                Issue(
                    MISSING_FIELD,
                    f"message {number} ({role or 'no role'}) has no content",
                    WARNING,
                    start,
                    end,
                    {"field": key},
                )
            )
    if not has_answer:
        issues.append(
            Issue(
                MISSING_FIELD,
                "conversation has no assistant answer to learn from",
                ERROR,
                start,
                end,
                {"field": key},
            )
        )
    return issues


def check_record(line: str, record: Any, schema: RowSchema) -> list[Issue]:
    """Missing-field issues of a parsed record."""
    if not isinstance(record, dict):
        kind = (
            type(record)
            .__name__.replace("NoneType", "null")
            .replace("dict", "object")
            .replace("list", "array")
        )
        return [Issue(NOT_OBJECT, f"each line must be a JSON object, got {kind}", ERROR)]
    issues: list[Issue] = []
    if schema.conversation_key:
        if schema.conversation_key not in record:
            issues.append(
                Issue(
                    MISSING_FIELD,
                    f"missing field '{schema.conversation_key}'",
                    ERROR,
                    0,
                    -1,
                    {"field": schema.conversation_key},
                )
            )
        else:
            issues += _conversation_issues(line, schema.conversation_key, record[schema.conversation_key])
        return issues
    for name in schema.required:
        if name not in record:
            issues.append(Issue(MISSING_FIELD, f"missing field '{name}'", ERROR, 0, -1, {"field": name}))
        elif _is_empty(record[name]):
            start, end = key_span(line, name)
            issues.append(Issue(MISSING_FIELD, f"'{name}' is empty", WARNING, start, end, {"field": name}))
    return issues


def check_basic(line: str, schema: RowSchema) -> tuple[str | None, tuple[Issue, ...] | None]:
    """(duplicate key, issues) of one JSONL line; blank lines are not records (key None, no issues)."""
    stripped = line.strip()
    if not stripped:
        return None, None
    try:
        record = orjson.loads(stripped)
    except orjson.JSONDecodeError as error:
        offset = len(line) - len(line.lstrip())
        pos = min(len(line), offset + max(0, getattr(error, "pos", 0)))
        reason = str(error).split(":", 1)[0]
        return None, (Issue(INVALID_JSON, f"invalid JSON: {reason}", ERROR, pos, -1),)
    issues = check_record(line, record, schema)
    if issues and issues[0].code == NOT_OBJECT:
        return None, tuple(issues)
    return stripped, (tuple(issues) or None)


def record_text(record: Any) -> str:
    """Every string in a record, joined: what the model reads and writes (template overhead not counted)."""
    parts: list[str] = []
    stack = [record]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return "\n".join(parts)


Spans = list[tuple[str, int, int]]
Counter = Callable[[str], int]


def too_long_issue(tokens: int, limit: int, label: str = "tokens") -> Issue | None:
    if tokens <= limit:
        return None
    return Issue(
        TOO_LONG,
        f"{tokens:,} {label} > max_seq_length {limit:,}: this example will be truncated",
        WARNING,
        0,
        -1,
        {"tokens": tokens, "max": limit},
    )


def check_deep(
    line: str,
    schema: RowSchema,
    count_tokens: Counter | None,
    pii: Spans,
    token_label: str = "tokens",
) -> tuple[Issue, ...] | None:
    """Too-long (JSONL object lines only, when `count_tokens` is given) and PII issues (`pii`: the spans the
    batch finder found on this line) of one line."""
    stripped = line.strip()
    if not stripped:
        return None
    issues: list[Issue] = []
    if (
        count_tokens is not None
        and stripped[0] == "{"
        and len(stripped.encode("utf-8")) + 8 > schema.max_tokens
    ):
        try:
            record = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            record = None
        if record is not None:
            issue = too_long_issue(count_tokens(record_text(record)), schema.max_tokens, token_label)
            if issue:
                issues.append(issue)
    for kind, start, end in pii:
        label = kind.replace("_", " ")
        data = {"kind": kind, "replacement": f"[{kind.upper()}]"}
        issues.append(Issue(PII, f"possible {label} (personal data or secret)", WARNING, start, end, data))
    return tuple(issues) or None
