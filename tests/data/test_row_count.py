"""`count_rows` (what the language server quotes) equals the rows an import stores, on files whose line count
misleads: multi-line CSV cells, blank lines, a header only, unreadable rows, JSON arrays, Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vibeflow.data.readers import load_source
from vibeflow.data.reading import count_rows
from vibeflow.errors import DataFormatError


def _q(n: int) -> str:
    return f"Where is my order number {n}? It was due last week and the tracking page shows nothing."


def _a(n: int) -> str:
    return f"Sorry about the wait on order {n}: it left our warehouse today and arrives within three days."


def _csv_multiline(path: Path) -> None:
    rows = [
        f'"Line one of ticket {n}\nline two, with a comma\n\nand a blank line","Reply {n}\nsigned, Ana"\n'
        for n in range(40)
    ]
    path.write_text("question,answer\n" + "".join(rows), encoding="utf-8")


def _tsv_blank_lines(path: Path) -> None:
    path.write_text(
        "prompt\tresponse\n\n" + "".join(f"{_q(n)}\t{_a(n)}\n\n" for n in range(25)), encoding="utf-8"
    )


def _jsonl_with_a_bad_line(path: Path) -> None:
    lines = [json.dumps({"instruction": _q(n), "output": _a(n)}) for n in range(30)]
    lines.insert(7, '{"instruction": "unclosed')
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")


def _json_array(path: Path) -> None:
    path.write_text(json.dumps([{"prompt": _q(n), "completion": _a(n)} for n in range(17)], indent=2))


def _parquet(path: Path) -> None:
    pq.write_table(
        pa.table({"input": [_q(n) for n in range(33)], "output": [_a(n) for n in range(33)]}), path
    )


@pytest.mark.parametrize(
    ("name", "write", "rows"),
    [
        ("multi.csv", _csv_multiline, 40),
        ("blank.tsv", _tsv_blank_lines, 25),
        ("bad.jsonl", _jsonl_with_a_bad_line, 30),
        ("array.json", _json_array, 17),
        ("table.parquet", _parquet, 33),
    ],
)
def test_count_is_the_rows_an_import_stores(tmp_path: Path, name: str, write, rows: int) -> None:
    path = tmp_path / name
    write(path)
    assert path.read_bytes().count(b"\n") != rows or name.endswith(".parquet")  # a line count would be wrong
    assert count_rows(path) == rows
    assert load_source(path, skip_bad_rows=True).dataset.num_rows == rows


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
        (b"question,answer\n", "a header but no data rows"),
        (b"not json at all\nstill not\n", "not a readable JSONL file"),
    ],
)
def test_a_file_that_is_not_a_dataset_raises_the_importers_error(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / ("data.jsonl" if b"json" in content else "data.csv")
    path.write_bytes(content)
    with pytest.raises(DataFormatError) as raised:
        count_rows(path)
    assert says in raised.value.message and raised.value.fix
