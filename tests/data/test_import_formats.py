"""Importer: every file format (CSV/TSV with sniffed delimiters, JSON layouts, JSONL, Parquet) to canonical rows."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vibeflow.data import read_csv, read_json, read_jsonl
from vibeflow.data.canonical import SCHEMA
from vibeflow.data.detect import sniff_delimiter
from vibeflow.data.json_array import ArraySplitter, iter_array_lines
from vibeflow.data.prefetch import prefetch
from vibeflow.data.readers import detect_format, load_source, preview_columns

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(autouse=True)
def vibeflow_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "vibeflow-home"
    monkeypatch.setenv("VIBEFLOW_HOME", str(home))
    return home


def turns(result, index: int = 0) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in result.dataset[index]["messages"]]


def column(result, name: str) -> list:
    return list(result.dataset[name])


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


# ---- format detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("support_tickets.csv", "csv"),
        ("dolly.tsv", "tsv"),
        ("alpaca.json", "json"),
        ("wrapped.json", "json"),
        ("sharegpt.jsonl", "jsonl"),
        ("openai_messages.jsonl", "jsonl"),
    ],
)
def test_detect_format_by_extension(name: str, fmt: str) -> None:
    assert detect_format(FIXTURES / name) == fmt


def test_detect_format_trusts_content_over_json_extension(tmp_path: Path) -> None:
    lines = write(tmp_path / "actually_lines.json", '{"q": "a b", "a": "c d"}\n{"q": "e f", "a": "g h"}\n')
    array = write(tmp_path / "actually_array.jsonl", '[{"q": "a b", "a": "c d"}]')
    assert detect_format(lines) == "jsonl"
    assert detect_format(array) == "json"


def test_detect_format_parquet(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"question": ["a"], "answer": ["b"]}), path)
    assert detect_format(path) == "parquet"


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("question;answer\nHi, there;Hello, friend\nA;B\n", ";"),
        ("question\tanswer\nHi, there\tHello; friend\n", "\t"),
        ("question|answer\nx, y|z; w\n", "|"),
        ('question,answer\n"multi\nline, with comma",ok\nb,c\n', ","),
    ],
)
def test_sniff_delimiter(sample: str, expected: str) -> None:
    assert sniff_delimiter(sample, "csv") == expected


# ---- CSV / TSV -------------------------------------------------------------------------------------------


def test_csv_quoted_newlines_commas_and_doubled_quotes() -> None:
    result = load_source(FIXTURES / "support_tickets.csv")
    assert result.format == "csv"
    assert result.mapping.input == ["customer_message"]
    assert result.mapping.output == "support_reply"
    assert result.dataset.num_rows == 3
    assert turns(result, 0)[0] == ("user", "Hi, my order #123 hasn't arrived yet.\nCan you check?")
    assert turns(result, 1)[1] == (
        "assistant",
        'Click "Forgot password" on the login page, then follow the email.',
    )
    assert column(result, "row") == [1, 2, 3]


def test_csv_semicolon_delimiter_is_sniffed() -> None:
    result = load_source(FIXTURES / "quiz_semicolon.csv")
    assert (result.mapping.input, result.mapping.output) == (["question"], "answer")
    assert result.dataset[2]["output_text"] == "HyperText Transfer Protocol, the protocol of the web."
    assert "difficulty" in result.mapping.ignored


def test_csv_pipe_delimiter_is_sniffed() -> None:
    result = load_source(FIXTURES / "pipe_delimited.csv")
    assert (result.mapping.input, result.mapping.output) == (["query"], "reply")
    assert result.dataset[1]["input_text"] == "cancel my plan"


def test_csv_with_utf8_bom_and_crlf() -> None:
    result = load_source(FIXTURES / "excel_bom.csv")
    assert result.mapping.input == ["Question"]  # no BOM glued to the first column name
    assert result.dataset[1]["output_text"] == "Red, blue and yellow are primary colours."
    assert not any("\r" in t for t in column(result, "input_text") + column(result, "output_text"))


def test_tsv_dolly_layout_appends_context() -> None:
    result = load_source(FIXTURES / "dolly.tsv")
    assert result.format == "tsv"
    assert result.mapping.input == ["instruction", "context"]
    assert result.mapping.output == "response"
    assert result.mapping.ignored == ["category"]
    assert turns(result, 0)[0] == ("user", "Summarise the text.\n\nThe cat sat on the mat all afternoon.")
    assert turns(result, 1)[0] == ("user", "What is the boiling point of water?")  # empty context skipped


def test_csv_many_batches_keep_record_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_csv, "BATCH_BYTES", 4096)
    body = "".join(f'"question {i}\nsecond line",answer number {i}\n' for i in range(3000))
    result = load_source(write(tmp_path / "many.csv", "question,answer\n" + body))
    assert result.dataset.num_rows == 3000
    assert column(result, "row") == list(range(1, 3001))
    assert result.dataset[2999]["input_text"] == "question 2999\nsecond line"


def test_csv_with_a_short_row_pads_missing_values(tmp_path: Path) -> None:
    result = load_source(write(tmp_path / "short.csv", "question,answer\nfull row,yes\nno answer here\n"))
    assert result.dataset[1]["messages"] == [
        {"role": "user", "content": "no answer here"},
        {"role": "assistant", "content": ""},
    ]


# ---- JSON documents --------------------------------------------------------------------------------------


def test_json_array_of_alpaca_records() -> None:
    result = load_source(FIXTURES / "alpaca.json")
    assert result.format == "json"
    assert result.mapping.shape == "alpaca"
    assert turns(result, 0) == [("user", "Translate to French.\n\nGood morning"), ("assistant", "Bonjour")]
    assert turns(result, 1)[0] == ("user", "Give three tips for staying healthy.")


def test_json_object_of_arrays() -> None:
    result = load_source(FIXTURES / "column_oriented.json")
    assert result.mapping.shape == "prompt_completion"
    assert result.mapping.ignored == ["source"]
    assert column(result, "row") == [1, 2]
    assert result.dataset[1]["output_text"] == "Jupiter is the largest planet in the solar system."


def test_json_object_wrapping_a_list() -> None:
    result = load_source(FIXTURES / "wrapped.json")
    assert (result.mapping.input, result.mapping.output) == (["user_message"], "assistant_message")
    assert result.dataset.num_rows == 2


def test_json_object_with_train_and_test_lists_uses_train(tmp_path: Path) -> None:
    doc = {
        "test": [{"question": "t q", "answer": "t a"}],
        "train": [{"question": "q1", "answer": "a1"}, {"question": "q2", "answer": "a2"}],
    }
    result = load_source(write(tmp_path / "splits.json", orjson.dumps(doc)))
    assert column(result, "input_text") == ["q1", "q2"]


def test_json_single_conversation_object(tmp_path: Path) -> None:
    doc = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
    result = load_source(write(tmp_path / "one.json", orjson.dumps(doc)))
    assert result.mapping.shape == "openai_messages"
    assert result.dataset.num_rows == 1
    assert result.dataset[0]["output_text"] == "Hello!"


# ---- JSON Lines ------------------------------------------------------------------------------------------


def test_jsonl_rows_are_line_numbers_with_blank_lines() -> None:
    result = load_source(FIXTURES / "openai_messages.jsonl")
    assert column(result, "row") == [1, 2, 4]  # line 3 is blank


def test_jsonl_many_chunks_with_blank_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_jsonl, "BATCH_BYTES", 8192)
    lines = []
    for i in range(5000):
        lines.append(orjson.dumps({"prompt": f"p{i} text", "response": f"r{i} text"}).decode())
        if i % 97 == 0:
            lines.append("   ")
    result = load_source(write(tmp_path / "chunks.jsonl", "\n".join(lines) + "\n"))
    expected = [n for n, line in enumerate(lines, start=1) if line.strip()]
    assert column(result, "row") == expected
    assert result.dataset[4999]["input_text"] == "p4999 text"


def test_jsonl_with_mixed_value_types_keeps_every_row(tmp_path: Path) -> None:
    data = '{"question": "How many?", "answer": 42}\n{"question": "Name?", "answer": "Ada"}\n'
    data += '{"question": "Flag?", "answer": true}\n{"question": "Nothing?", "answer": null}\n'
    result = load_source(write(tmp_path / "mixed.jsonl", data))
    assert column(result, "output_text") == ["42", "Ada", "true", ""]


def test_jsonl_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.jsonl", b'\xef\xbb\xbf{"question": "a b", "answer": "c d"}\n')
    assert column(load_source(path), "input_text") == ["a b"]


# ---- Parquet ---------------------------------------------------------------------------------------------


def test_parquet_flat_columns(tmp_path: Path) -> None:
    path = tmp_path / "flat.parquet"
    table = pa.table(
        {"id": [10, 11], "instruction": ["Say hi", "Add 2+2"], "output": ["hi", "4"], "score": [0.5, 0.9]}
    )
    pq.write_table(table, path)
    result = load_source(path)
    assert result.format == "parquet"
    assert result.mapping.shape == "alpaca"
    assert set(result.mapping.ignored) == {"id", "score"}
    assert column(result, "output_text") == ["hi", "4"]
    assert column(result, "row") == [1, 2]


def test_parquet_nested_messages(tmp_path: Path) -> None:
    path = tmp_path / "chat.parquet"
    rows = [
        {"messages": [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}]},
        {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q2"}]},
    ]
    pq.write_table(pa.Table.from_pylist(rows), path)
    result = load_source(path)
    assert result.mapping.shape == "openai_messages"
    assert turns(result, 1) == [("system", "S"), ("user", "Q2")]
    assert result.dataset[1]["output_text"] == ""


# ---- the result contract ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["support_tickets.csv", "dolly.tsv", "alpaca.json", "column_oriented.json", "sharegpt.jsonl"],
)
def test_result_has_canonical_schema_and_source_identity(name: str) -> None:
    path = FIXTURES / name
    result = load_source(path)
    assert result.dataset.data.schema.remove_metadata() == SCHEMA
    assert result.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.source_path == str(path.resolve())
    assert result.skipped == []
    assert isinstance(result.summary()["mapping"], dict)
    for row in result.dataset:
        text_in = "\n\n".join(m["content"] for m in row["messages"] if m["role"] != "assistant")
        assert row["input_text"] == text_in


def test_dataset_lives_in_the_vibeflow_cache(vibeflow_home: Path) -> None:
    result = load_source(FIXTURES / "alpaca.json")
    files = [Path(f["filename"]) for f in result.dataset.cache_files]
    assert files and all(f.is_relative_to(vibeflow_home / "cache") for f in files)


def test_reimport_of_same_file_gives_same_rows(tmp_path: Path) -> None:
    copy = tmp_path / "copy.jsonl"
    shutil.copy(FIXTURES / "sharegpt.jsonl", copy)
    first = load_source(copy).dataset.to_list()
    assert load_source(copy).dataset.to_list() == first


def test_progress_reports_until_done(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    load_source(FIXTURES / "support_tickets.csv", progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] > 0
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


# ---- preview ---------------------------------------------------------------------------------------------


def test_preview_columns_lists_columns_rows_and_mapping() -> None:
    preview = preview_columns(FIXTURES / "support_tickets.csv", rows=2)
    assert [c["name"] for c in preview["columns"]] == [
        "ticket_id",
        "customer_message",
        "support_reply",
        "category",
    ]
    assert len(preview["rows"]) == 2
    assert preview["rows"][0]["ticket_id"] == "T-1001"
    assert preview["mapping"]["output"] == "support_reply"
    assert preview["confidence"] >= 0.9
    assert preview["needs_manual_mapping"] is False
    assert preview["delimiter"] == ","
    orjson.dumps(preview)  # JSON-serialisable for the webview


def test_preview_flags_low_confidence_for_manual_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path / "vague.csv", "col_a,col_b\nthe cat sat,on the mat in the sun all day\nit rained,hard\n"
    )
    preview = preview_columns(path)
    assert preview["needs_manual_mapping"] is True
    assert preview["mapping"]["input"] == ["col_a"]
    assert preview["confidence"] < 0.6


# ---- streaming JSON arrays -------------------------------------------------------------------------------

TRICKY = [
    'a "quoted" word',
    "back\\slash \\",
    "brackets ] } [ { and, commas",
    "new\nline",
    "tab\tend",
    "é ü 中",
]


def test_array_splitter_handles_any_chunk_boundary(tmp_path: Path) -> None:
    records = [
        {"question": s * (i % 3 + 1), "answer": [i, {"nested": s[::-1]}]} for i, s in enumerate(TRICKY * 5)
    ]
    text = json.dumps(records, indent=2, ensure_ascii=False)
    path = write(tmp_path / "tricky.json", text)
    source_lines = text.split("\n")
    for chunk in (1, 2, 3, 7, 64, 4096):
        splitter = ArraySplitter(str(path))
        out = b"".join(part for part, _ in iter_array_lines(path, splitter, chunk))
        assert [orjson.loads(line) for line in out.split(b"\n") if line.strip()] == records
        starts = splitter.record_lines[: len(records)]
        assert all(source_lines[n - 1].strip() == "{" for n in starts)


def test_json_array_streams_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_json, "BATCH_BYTES", 2048)
    monkeypatch.setattr(read_json, "HEAD_CHUNK", 512)
    records = [{"instruction": f"{TRICKY[i % 6]} #{i}", "output": f"answer {i}"} for i in range(2000)]
    path = write(tmp_path / "big.json", json.dumps(records, indent=1, ensure_ascii=False))
    calls: list[tuple[int, int]] = []
    result = load_source(path, progress=lambda done, total: calls.append((done, total)))
    assert column(result, "row") == list(range(1, 2001))
    assert column(result, "input_text") == [r["instruction"] for r in records]
    assert len(calls) > 10 and calls[-1] == (path.stat().st_size, path.stat().st_size)


def test_json_array_of_sharegpt_conversations(tmp_path: Path) -> None:
    conversations = [
        {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]},
        {"conversations": [{"from": "human", "value": "Bye"}, {"from": "gpt", "value": "See you"}]},
    ]
    result = load_source(write(tmp_path / "sg.json", json.dumps(conversations)))
    assert result.mapping.shape == "sharegpt"
    assert turns(result, 1) == [("user", "Bye"), ("assistant", "See you")]


# ---- prefetching -----------------------------------------------------------------------------------------


def test_prefetch_passes_items_and_errors_in_order() -> None:
    def items():
        yield 1
        yield 2
        raise ValueError("broken at 3")

    seen = []
    with pytest.raises(ValueError, match="broken at 3"), prefetch(items()) as ahead:
        seen.extend(ahead)
    assert seen == [1, 2]


def test_prefetch_stops_the_producer_when_the_consumer_stops() -> None:
    closed = []

    def endless():
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.append(True)

    with prefetch(endless()) as ahead:
        assert next(iter(ahead)) == 1
    assert closed == [True]
