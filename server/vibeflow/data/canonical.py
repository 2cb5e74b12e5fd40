"""The one canonical chat representation every importer produces and every check, fix and trainer consumes.

A canonical dataset is a `datasets.Dataset` with exactly these columns:

- ``row`` (int64): 1-based row number in the source file (the line number for JSONL, the record number
  for CSV/TSV/JSON/Parquet), kept through every fix and split so reports always point at the user's file.
- ``messages`` (list of {role: string, content: string}): roles are ``system``, ``user``, ``assistant``;
  multi-turn conversations keep every turn in order. A missing value becomes an empty content string.
- ``input_text`` (string): the non-assistant turns joined with a blank line (what the model is shown).
- ``output_text`` (string): the assistant turns joined with a blank line (what the model must learn).

Invalid UTF-8 bytes in the source are decoded as U+FFFD so the row survives and the quality report can
flag it as encoding damage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyarrow as pa

ROLES = ("system", "user", "assistant")

MESSAGE_TYPE = pa.struct([("role", pa.string()), ("content", pa.string())])

SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("messages", pa.list_(MESSAGE_TYPE)),
        ("input_text", pa.string()),
        ("output_text", pa.string()),
    ]
)

COLUMNS = tuple(SCHEMA.names)


def split_texts(messages: Iterable[Mapping[str, str]]) -> tuple[str, str]:
    """Return (input_text, output_text) for one conversation."""
    inputs: list[str] = []
    outputs: list[str] = []
    for message in messages:
        content = message.get("content") or ""
        (outputs if message.get("role") == "assistant" else inputs).append(content)
    return "\n\n".join(inputs), "\n\n".join(outputs)


def record(row: int, messages: list[dict[str, str]]) -> dict[str, object]:
    """Build one canonical record from a row number and its messages."""
    input_text, output_text = split_texts(messages)
    return {"row": row, "messages": messages, "input_text": input_text, "output_text": output_text}
