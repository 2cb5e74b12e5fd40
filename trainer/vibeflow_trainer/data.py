"""Reads the dataset contract (Parquet/JSONL with a `messages` column) into checked conversations."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vibeflow_trainer.errors import DatasetFormatError

ROLES = ("system", "user", "assistant")
Conversation = list[dict[str, str]]
_FIX = "export the dataset from VibeFlow (Data → Export for training) or give each row a `messages` list of {role, content}"


@dataclass
class LoadedDataset:
    """Checked conversations of one file plus what was skipped."""

    path: Path
    conversations: list[Conversation]
    skipped_rows: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.conversations)


def _read_rows(path: Path) -> list[tuple[int, Any]]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a broken file
            raise DatasetFormatError(f"{path.name} is not a readable Parquet file: {exc}", _FIX) from exc
        if "messages" not in table.column_names:
            raise DatasetFormatError(
                f"{path.name} has no `messages` column (columns: {', '.join(table.column_names)})", _FIX
            )
        rows = table.column("row").to_pylist() if "row" in table.column_names else None
        messages = table.column("messages").to_pylist()
        return [(rows[i] if rows else i + 1, m) for i, m in enumerate(messages)]
    if suffix in (".jsonl", ".json", ".ndjson"):
        out: list[tuple[int, Any]] = []
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise DatasetFormatError(
                        f"{path.name} line {line_no} is not valid JSON: {exc}", _FIX
                    ) from exc
                if not isinstance(record, dict) or "messages" not in record:
                    raise DatasetFormatError(f"{path.name} line {line_no} has no `messages` field", _FIX)
                out.append((record.get("row", line_no), record["messages"]))
        return out
    raise DatasetFormatError(
        f"{path.name}: unsupported dataset file type {suffix or '(none)'}", "use a .parquet or .jsonl file"
    )


def _check(path: Path, row: Any, messages: Any) -> Conversation:
    where = f"{path.name} row {row}"
    if not isinstance(messages, list) or not messages:
        raise DatasetFormatError(f"{where}: `messages` must be a non-empty list", _FIX)
    conversation: Conversation = []
    for turn in messages:
        if not isinstance(turn, dict):
            raise DatasetFormatError(f"{where}: each message must be an object with role and content", _FIX)
        role = turn.get("role")
        if role not in ROLES:
            raise DatasetFormatError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}", _FIX)
        content = turn.get("content")
        if content is None:
            content = ""
        if not isinstance(content, str):
            raise DatasetFormatError(f"{where}: message content must be text", _FIX)
        conversation.append({"role": role, "content": content})
    return conversation


def load_conversations(path: str | Path, label: str = "train_path") -> LoadedDataset:
    """Load and check a dataset file; rows without an assistant turn are skipped and reported."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise DatasetFormatError(
            f"{label} file not found: {file}", f"check {label} in the run spec, or re-export the dataset"
        )
    conversations: list[Conversation] = []
    skipped: list[int] = []
    for row, messages in _read_rows(file):
        conversation = _check(file, row, messages)
        if any(turn["role"] == "assistant" for turn in conversation):
            conversations.append(conversation)
        else:
            skipped.append(int(row) if isinstance(row, int) else len(conversations) + len(skipped) + 1)
    if not conversations:
        raise DatasetFormatError(
            f"{file.name} has no conversation with an assistant turn to learn from", _FIX
        )
    return LoadedDataset(path=file, conversations=conversations, skipped_rows=skipped)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
