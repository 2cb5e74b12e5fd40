"""The dataset contract: Parquet/JSONL with a `messages` column; other columns ignored; clear format errors."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vibeflow_trainer.data import load_conversations
from vibeflow_trainer.errors import DatasetFormatError

CHAT = [
    {"role": "system", "content": "Be kind."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "Thanks"},
    {"role": "assistant", "content": "Any time."},
]


def test_parquet_with_extra_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "row": [3, 9],
            "messages": [CHAT, CHAT[1:3]],
            "input_text": ["a", "b"],
            "output_text": ["c", "d"],
            "score": [88.0, 91.5],
        }
    )
    pq.write_table(table, tmp_path / "train.parquet")
    loaded = load_conversations(tmp_path / "train.parquet")
    assert loaded.conversations == [CHAT, CHAT[1:3]]


def test_jsonl_skips_rows_without_assistant_and_reports_them(tmp_path: Path) -> None:
    rows = [{"row": 1, "messages": CHAT}, {"row": 2, "messages": CHAT[:2]}, {"messages": CHAT[1:3], "x": 1}]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    loaded = load_conversations(path)
    assert len(loaded) == 2 and loaded.skipped_rows == [2]


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        (
            '{"messages": [{"role": "bot", "content": "x"}]}',
            "role 'bot' is not one of system, user, assistant",
        ),
        ('{"text": "hello"}', "line 1 has no `messages` field"),
        ("{not json", "line 1 is not valid JSON"),
        ('{"messages": []}', "`messages` must be a non-empty list"),
        ('{"messages": [{"role": "user", "content": 5}]}', "content must be text"),
    ],
)
def test_format_errors_point_at_the_row(tmp_path: Path, line: str, needle: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError) as info:
        load_conversations(path)
    assert needle in info.value.message and info.value.fix


def test_missing_file_and_unsupported_type(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match="train_path file not found"):
        load_conversations(tmp_path / "missing.jsonl")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError, match="unsupported dataset file type .csv"):
        load_conversations(tmp_path / "data.csv")


def test_parquet_without_messages_column(tmp_path: Path) -> None:
    pq.write_table(pa.table({"instruction": ["a"], "output": ["b"]}), tmp_path / "t.parquet")
    with pytest.raises(DatasetFormatError, match="no `messages` column"):
        load_conversations(tmp_path / "t.parquet")
