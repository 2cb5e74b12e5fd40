"""Turn raw source columns into canonical chat records, vectorised with pyarrow compute (Python only for odd types).

Two entry points share one set of rules: `to_canonical` takes any Arrow table read by a fast reader, and
`raw_table` first normalises Python rows from a slow (line-by-line) reader into plain Arrow columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from vibeflow.data.canonical import MESSAGE_TYPE, ROLES, SCHEMA
from vibeflow.data.profile import CONTENT_KEYS, ROLE_KEYS, as_conversation
from vibeflow.data.shapes import ColumnMapping

SEPARATOR = "\n\n"
SYSTEM, USER, ASSISTANT = 0, 1, 2
# Source role names → canonical role; anything else (tool, function, unknown) is shown to the model as user.
ROLE_ALIASES = {
    **dict.fromkeys(("system", "developer", "instruction"), SYSTEM),
    **dict.fromkeys(("user", "human", "customer", "prompter", "client", "question"), USER),
    **dict.fromkeys(("assistant", "gpt", "bot", "model", "ai", "chatgpt", "agent", "support"), ASSISTANT),
    **dict.fromkeys(("gpt-4", "gpt4", "bard", "claude", "answer", "response"), ASSISTANT),
}
_ALIAS_NAMES = pa.array(list(ROLE_ALIASES), pa.string())
_ALIAS_CODES = pa.array(list(ROLE_ALIASES.values()), pa.int8())
_ROLE_NAMES = pa.array(ROLES, pa.string())
_MESSAGE_FIELDS = [MESSAGE_TYPE.field(i) for i in range(MESSAGE_TYPE.num_fields)]
RAW_CHAT_TYPE = pa.list_(MESSAGE_TYPE)


# ---- Python normalisation (slow readers and odd Arrow types) -------------------------------------------


def py_text(value: Any) -> str | None:
    """One cell as text: None stays None, numbers and booleans are spelled out, nested values become JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (dict, list, tuple)):
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode()
    return str(value)


def py_content(value: Any) -> str:
    """A message's content as text: multimodal part lists keep their text parts, None becomes ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "\n".join(parts)
    return py_text(value) or ""


def py_chat(value: Any) -> list[dict[str, str | None]]:
    """A conversation as [{role, content}] with the source's role names (canonicalised later)."""
    conversation = as_conversation(value) or []
    messages = []
    for message in conversation:
        role = next((message[k] for k in ROLE_KEYS if message.get(k) is not None), None)
        content = next((message[k] for k in CONTENT_KEYS if message.get(k) is not None), None)
        messages.append({"role": py_text(role), "content": py_content(content)})
    return messages


def raw_table(records: Sequence[Mapping[str, Any]], mapping: ColumnMapping) -> pa.Table:
    """Normalise Python rows into a table of only the mapped columns, with types `to_canonical` reads fast."""
    columns: dict[str, pa.Array] = {}
    for name in mapping.used:
        if mapping.is_chat and name == mapping.input[0]:
            columns[name] = pa.array([py_chat(r.get(name)) for r in records], RAW_CHAT_TYPE)
        else:
            columns[name] = pa.array([py_text(r.get(name)) for r in records], pa.string())
    if not columns:
        return pa.table({"_": pa.nulls(len(records))})
    return pa.table(columns)


# ---- Arrow columns → text -----------------------------------------------------------------------------


def text_array(
    column: pa.Array | pa.ChunkedArray | None, n: int, py: Callable[[Any], Any] = py_text
) -> pa.Array:
    """Any Arrow column as a non-null string array ("" for missing); `py` converts values Arrow cannot cast."""
    if column is None:
        return pa.array([""] * n, pa.string()) if n else pa.array([], pa.string())
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = arr.type
    if pa.types.is_dictionary(kind):
        arr = arr.dictionary_decode()
        kind = arr.type
    if isinstance(kind, pa.JsonType):
        values = [None if v is None else py(orjson.loads(v)) for v in arr.storage.to_pylist()]
        arr = pa.array(values, pa.string())
    elif pa.types.is_string(kind):
        arr = _valid_utf8(arr)
    elif pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        arr = _valid_utf8(arr.cast(pa.string()))
    elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_binary_view(kind):
        arr = _decode_binary(arr)
    elif pa.types.is_null(kind):
        arr = pa.nulls(len(arr), pa.string())
    elif pa.types.is_floating(kind):
        arr = pc.if_else(pc.is_nan(arr), None, arr).cast(pa.string())
    elif pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_decimal(kind):
        arr = arr.cast(pa.string())
    else:
        arr = pa.array([py(v) for v in arr.to_pylist()], pa.string())
    return arr.fill_null("") if arr.null_count else arr


def _valid_utf8(arr: pa.Array) -> pa.Array:
    """Readers may pass invalid UTF-8 through (pyarrow's JSON reader does); repair it like a damaged file."""
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        return _decode_binary(arr.view(pa.binary()))
    return arr


def _decode_binary(arr: pa.Array) -> pa.Array:
    try:
        return arr.cast(pa.string())
    except pa.ArrowInvalid:  # invalid UTF-8: keep the row, replace the damaged bytes with U+FFFD
        return pa.array([None if v is None else v.decode("utf-8", errors="replace") for v in arr.to_pylist()])


def chat_arrays(column: pa.Array | pa.ChunkedArray | None, n: int) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """A conversation column as (messages per row, canonical role codes, contents) of the flattened messages."""
    if column is None:
        return np.zeros(n, np.int64), np.zeros(0, np.int8), pa.array([], pa.string())
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = arr.type
    fast = (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and pa.types.is_struct(kind.value_type)
    if fast:
        fields = [kind.value_type.field(i).name for i in range(kind.value_type.num_fields)]
        role_keys = [k for k in ROLE_KEYS if k in fields]
        content_keys = [k for k in CONTENT_KEYS if k in fields]
        # one role and one content field: read them as columns; mixed key styles go through py_chat
        fast = len(role_keys) == 1 and len(content_keys) == 1
        role_key, content_key = (role_keys[0], content_keys[0]) if fast else ("role", "content")
    if not fast:
        textual = pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_large_string(kind)
        values = text_array(arr, len(arr)).to_pylist() if textual else arr.to_pylist()
        conversations = [py_chat(v) for v in values]
        arr = pa.array(conversations, RAW_CHAT_TYPE)
        role_key, content_key = "role", "content"
    counts = pc.list_value_length(arr).fill_null(0).to_numpy().astype(np.int64)
    flat = arr.flatten()
    roles = text_array(flat.field(role_key), len(flat))
    contents = text_array(flat.field(content_key), len(flat), py_content)
    return counts, role_codes(roles), contents


def role_codes(roles: pa.Array) -> np.ndarray:
    """Canonical role codes (0 system, 1 user, 2 assistant) for source role names; unknown → user."""
    if not len(roles):
        return np.zeros(0, np.int8)
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(roles))
    index = pc.index_in(lowered, value_set=_ALIAS_NAMES)
    return pc.take(_ALIAS_CODES, index).fill_null(USER).to_numpy(zero_copy_only=False).astype(np.int8)


# ---- assembling canonical records -----------------------------------------------------------------------


def join_nonempty(parts: Iterable[pa.Array]) -> pa.Array:
    """Element-wise join of string arrays with a blank line, skipping empty (or blank) pieces."""
    parts = list(parts)
    result = parts[0]
    for part in parts[1:]:
        left_empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(result)), 0)
        right_empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(part)), 0)
        both = pc.binary_join_element_wise(result, part, SEPARATOR)
        result = pc.if_else(left_empty, part, pc.if_else(right_empty, result, both))
    return result


def to_canonical(table: pa.Table, mapping: ColumnMapping, rows: np.ndarray) -> pa.Table:
    """Canonical records (canonical.SCHEMA) for a raw table whose i-th row is source row `rows[i]`."""
    n = table.num_rows

    def col(name: str | None) -> pa.ChunkedArray | None:
        return table.column(name) if name and name in table.column_names else None

    if mapping.is_chat:
        counts, codes, contents = chat_arrays(col(mapping.input[0]), n)
    else:
        user = join_nonempty(text_array(col(c), n) for c in mapping.input)
        assistant = text_array(col(mapping.output), n)
        counts = np.full(n, 2, np.int64)
        codes = np.tile(np.array([USER, ASSISTANT], np.int8), n)
        order = np.empty(2 * n, np.int64)
        order[0::2] = np.arange(n)
        order[1::2] = np.arange(n, 2 * n)
        contents = pa.concat_arrays([user, assistant]).take(pa.array(order))
        system = text_array(col(mapping.system), n) if mapping.system else None
        input_text = user
        if system is not None:
            joined = pc.binary_join_element_wise(system, user, SEPARATOR)
            input_text = pc.if_else(_non_blank(system), joined, user)
        return assemble(np.asarray(rows, np.int64), counts, codes, contents, system, (input_text, assistant))
    system = text_array(col(mapping.system), n) if mapping.system else None
    return assemble(np.asarray(rows, np.int64), counts, codes, contents, system)


def _non_blank(strings: pa.Array) -> pa.Array:
    return pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(strings)), 0)


def assemble(
    rows: np.ndarray,
    counts: np.ndarray,
    codes: np.ndarray,
    contents: pa.Array,
    system: pa.Array | None,
    texts: tuple[pa.Array, pa.Array] | None = None,
) -> pa.Table:
    """Build the canonical table from flattened messages, prepending a non-empty `system` prompt per row
    unless that conversation already has a system message. `texts` (input, output) skips re-joining them."""
    n = len(counts)
    parents = np.repeat(np.arange(n), counts)
    source_starts = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=source_starts[1:])
    has_system = np.zeros(n, bool)
    if system is not None:
        already = np.bincount(parents[codes == SYSTEM], minlength=n) > 0
        has_system = _non_blank(system).to_numpy(zero_copy_only=False) & ~already
    if not has_system.any():
        offsets, out_codes, final = source_starts, codes, contents
    else:
        offsets, out_codes, final = _insert_system(
            parents, source_starts, codes, contents, system, has_system
        )
    roles = pa.DictionaryArray.from_arrays(pa.array(out_codes), _ROLE_NAMES).cast(pa.string())
    offsets32 = pa.array(offsets.astype(np.int32))
    messages = pa.ListArray.from_arrays(
        offsets32, pa.StructArray.from_arrays([roles, final], fields=_MESSAGE_FIELDS)
    )
    if texts is None:
        final_parents = np.repeat(np.arange(n), np.diff(offsets))
        is_assistant = out_codes == ASSISTANT
        input_text = _join_per_row(final, final_parents, ~is_assistant, n)
        output_text = _join_per_row(final, final_parents, is_assistant, n)
    else:
        input_text, output_text = texts
    return pa.Table.from_arrays(
        [pa.array(rows, pa.int64()), messages, input_text, output_text], schema=SCHEMA
    )


def _insert_system(
    parents: np.ndarray,
    source_starts: np.ndarray,
    codes: np.ndarray,
    contents: pa.Array,
    system: pa.Array,
    has_system: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Offsets, role codes and contents with the system prompt inserted first in the rows that get one."""
    n = len(has_system)
    extra = has_system.astype(np.int64)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.diff(source_starts) + extra, out=offsets[1:])
    m, total = len(codes), int(offsets[-1])
    within = np.arange(m) - source_starts[:-1][parents]
    positions = offsets[:-1][parents] + extra[parents] + within
    take = np.empty(total, np.int64)
    out_codes = np.empty(total, np.int8)
    take[positions] = np.arange(m)
    out_codes[positions] = codes
    system_rows = np.flatnonzero(has_system)
    take[offsets[:-1][system_rows]] = m + system_rows
    out_codes[offsets[:-1][system_rows]] = SYSTEM
    all_contents = pa.concat_arrays([contents.cast(pa.string()), system.cast(pa.string())])
    return offsets, out_codes, all_contents.take(pa.array(take))


def _join_per_row(contents: pa.Array, parents: np.ndarray, keep: np.ndarray, n: int) -> pa.Array:
    """Join the kept contents of each row with a blank line ("" for rows with none)."""
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(np.bincount(parents[keep], minlength=n), out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets), contents.filter(pa.array(keep)))
    return pc.binary_join(lists, SEPARATOR)
