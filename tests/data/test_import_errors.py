"""Importer: every kind of bad input ends in a typed error naming the file, the line and the fix."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vibeflow.data import read_jsonl
from vibeflow.data.readers import detect_format, load_source, preview_columns
from vibeflow.errors import BadRowsError, DataFormatError, MappingError, NotFoundError, VibeFlowError


@pytest.fixture(autouse=True)
def vibeflow_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "vibeflow-home"
    monkeypatch.setenv("VIBEFLOW_HOME", str(home))
    return home


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def qa_lines(n: int) -> list[bytes]:
    return [
        orjson.dumps({"question": f"question number {i}?", "answer": f"answer number {i}."}) for i in range(n)
    ]


def assert_user_facing(error: VibeFlowError, path: Path) -> None:
    assert error.file == str(path)
    assert error.fix
    assert "Traceback" not in str(error)
    orjson.dumps(error.to_dict())


# ---- broken rows -----------------------------------------------------------------------------------------


def test_one_broken_line_in_the_middle_of_a_large_jsonl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vibeflow_home: Path
) -> None:
    monkeypatch.setattr(read_jsonl, "BATCH_BYTES", 64 * 1024)  # many chunks: the bad one is deep inside
    lines = qa_lines(60_000)
    lines[41_233] = b'{"question": "unterminated, "answer": "x"}'
    path = write(tmp_path / "big.jsonl", b"\n".join(lines) + b"\n")
    with pytest.raises(BadRowsError) as caught:
        load_source(path)
    error = caught.value
    assert_user_facing(error, path)
    assert error.line == 41_234
    assert error.details["bad_rows"] == [{"row": 41_234, "reason": error.details["bad_rows"][0]["reason"]}]
    assert "not valid JSON" in error.details["bad_rows"][0]["reason"]
    assert error.details["good_rows"] == 59_999
    assert "--skip-bad-rows" in error.fix
    assert "41234" in str(error).replace(",", "")
    assert not list((vibeflow_home / "cache" / "imports").glob("*.arrow"))  # nothing half-written is left

    result = load_source(path, skip_bad_rows=True)
    assert result.dataset.num_rows == 59_999
    assert [s["row"] for s in result.skipped] == [41_234]
    assert result.dataset[41_233]["row"] == 41_235  # rows keep their line numbers after the gap
    assert result.dataset[41_233]["input_text"] == "question number 41234?"


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    lines = [*qa_lines(5), b'["a", "list"]', *qa_lines(3)]
    path = write(tmp_path / "list_line.jsonl", b"\n".join(lines))
    with pytest.raises(BadRowsError) as caught:
        load_source(path)
    assert caught.value.details["bad_rows"][0] == {
        "row": 6,
        "reason": "expected a JSON object ({...}) on each line, found an array",
    }


def test_csv_row_with_too_many_fields(tmp_path: Path) -> None:
    body = 'question,answer\nfirst q,first a\n"multi\nline q",second a\nwhat, is this,extra\nlast q,last a\n'
    path = write(tmp_path / "extra.csv", body)
    with pytest.raises(BadRowsError) as caught:
        load_source(path)
    error = caught.value
    assert_user_facing(error, path)
    assert error.details["bad_rows"] == [
        {"row": 3, "line": 5, "reason": error.details["bad_rows"][0]["reason"]},
    ]
    assert "3 fields but the header has 2" in error.details["bad_rows"][0]["reason"]
    assert error.line == 5 and error.details["good_rows"] == 3

    result = load_source(path, skip_bad_rows=True)
    assert list(result.dataset["row"]) == [1, 2, 4]
    assert result.skipped[0]["row"] == 3


def test_csv_unclosed_quote_is_a_format_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "unclosed.csv", 'question,answer\nhi,hello\n"what is this,extra\nbye,see you\n')
    with pytest.raises(DataFormatError, match="never closed") as caught:
        load_source(path)
    assert caught.value.line == 3
    assert_user_facing(caught.value, path)


def test_broken_element_of_a_json_array_reports_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.json", '[\n  {"question": "a", "answer": "b"},\n  {"question": "c" "answer": "d"}\n]'
    )
    with pytest.raises(BadRowsError) as caught:
        load_source(path)
    assert caught.value.line == 3
    assert caught.value.details["bad_rows"][0]["row"] == 2
    assert "not valid JSON" in caught.value.details["bad_rows"][0]["reason"]
    assert_user_facing(caught.value, path)


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('[\n{"question": "a", "answer": "b"}\n]\n{"extra": 1}\n', 4, "outside the top-level array"),
        (
            '[\n{"question": "a", "answer": "b"}\n] trailing words\n',
            3,
            "after the end of the top-level array",
        ),
        ('[\n{"question": "a", "answer": "b"},\n{"question": "c", "answer": "d', 3, "string is never closed"),
        (
            '[\n{"question": "a", "answer": "b"},\n{"question": "c", "answer": "d"}\n',
            3,
            "never closed with ]",
        ),
    ],
)
def test_malformed_json_array_structure(tmp_path: Path, content: str, line: int, message: str) -> None:
    path = write(tmp_path / "broken.json", content)
    with pytest.raises(DataFormatError, match=message) as caught:
        load_source(path)
    assert caught.value.line == line
    assert_user_facing(caught.value, path)


def test_malformed_json_object_reports_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.json",
        '{"data": [\n  {"question": "a", "answer": "b"},\n  {"question": "c" "a": 1}\n]}',
    )
    with pytest.raises(DataFormatError, match="Not valid JSON") as caught:
        load_source(path)
    assert caught.value.line == 3
    assert_user_facing(caught.value, path)


def test_concatenated_json_objects_hint_at_jsonl(tmp_path: Path) -> None:
    path = write(
        tmp_path / "concat.json", '{\n  "question": "a", "answer": "b"\n}\n{\n  "question": "c"\n}\n'
    )
    with pytest.raises(DataFormatError, match="JSON Lines") as caught:
        load_source(path)
    assert caught.value.line == 4


def test_json_lines_content_in_a_json_file_is_read_as_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "lines.json", '{"question": "a", "answer": "b"}\n\n{"question": "c", "answer": "d"}'
    )
    result = load_source(path)
    assert result.format == "jsonl"
    assert list(result.dataset["row"]) == [1, 3]


def test_json_array_with_a_non_object_record(tmp_path: Path) -> None:
    path = write(
        tmp_path / "arr.json", orjson.dumps([{"question": "q", "answer": "a"}, "oops", {"question": "r"}])
    )
    with pytest.raises(BadRowsError) as caught:
        load_source(path)
    assert caught.value.details["bad_rows"][0]["row"] == 2
    assert load_source(path, skip_bad_rows=True).dataset.num_rows == 2


def test_json_columns_of_different_length(tmp_path: Path) -> None:
    path = write(tmp_path / "cols.json", '{"question": ["a", "b"], "answer": ["c"]}')
    with pytest.raises(DataFormatError, match="differ in length"):
        load_source(path)


def test_mostly_broken_file_is_not_a_bad_rows_error(tmp_path: Path) -> None:
    lines = [*qa_lines(2), *[b"not json at all"] * 20]
    path = write(tmp_path / "junk.jsonl", b"\n".join(lines))
    with pytest.raises(DataFormatError) as caught:
        load_source(path)
    assert not isinstance(caught.value, BadRowsError)
    assert "20 of 22 lines" in caught.value.message
    assert caught.value.line == 3


def test_file_of_no_json_objects_at_all(tmp_path: Path) -> None:
    path = write(tmp_path / "text.jsonl", "hello there\nthis is prose\n")
    with pytest.raises(DataFormatError, match="line 1: not valid JSON") as caught:
        load_source(path)
    assert caught.value.line == 1


# ---- encodings and binary files --------------------------------------------------------------------------


def test_a_few_invalid_utf8_bytes_survive_as_replacement_characters(tmp_path: Path) -> None:
    jsonl = write(
        tmp_path / "damaged.jsonl", b"\n".join([*qa_lines(3), b'{"question": "caf\xe9?", "answer": "ok"}'])
    )
    result = load_source(jsonl)
    assert result.dataset[3]["input_text"] == "caf\ufffd?"
    csv_path = write(tmp_path / "damaged.csv", b"question,answer\nna\xefve question,fine answer\nq2,a2\n")
    assert load_source(csv_path).dataset[0]["input_text"] == "na\ufffdve question"
    json_path = write(tmp_path / "damaged.json", b'[{"question": "bad \xff byte", "answer": "ok"}]')
    assert load_source(json_path).dataset[0]["input_text"] == "bad \ufffd byte"


def test_a_file_that_is_mostly_not_utf8(tmp_path: Path) -> None:
    text = "question,answer\n" + "".join(
        f"Où est la gare {i} ?,À droite après le café {i}.\n" for i in range(40)
    )
    path = write(tmp_path / "latin1.csv", text.encode("latin-1"))
    with pytest.raises(DataFormatError, match="not UTF-8") as caught:
        load_source(path)
    assert "UTF-8" in caught.value.fix and "Re-save" in caught.value.fix
    assert_user_facing(caught.value, path)


def test_utf16_file(tmp_path: Path) -> None:
    path = write(tmp_path / "excel_unicode.csv", "question\tanswer\nhi\thello\n".encode("utf-16"))
    with pytest.raises(DataFormatError, match="UTF-16"):
        load_source(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
        (b"PK\x03\x04" + bytes(200), "Excel"),
        (bytes(range(256)) * 8, "binary"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 100, "binary"),
    ],
)
def test_binary_file_renamed_csv(tmp_path: Path, content: bytes, expected: str) -> None:
    path = write(tmp_path / "renamed.csv", content)
    with pytest.raises(DataFormatError, match=expected) as caught:
        load_source(path)
    assert_user_facing(caught.value, path)


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = write(tmp_path / "fake.parquet", "question,answer\na,b\n")
    with pytest.raises(DataFormatError, match="not a Parquet file"):
        load_source(path)


def test_truncated_parquet_file(tmp_path: Path) -> None:
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"question": ["a"] * 100, "answer": ["b"] * 100}), good)
    path = write(tmp_path / "cut.parquet", good.read_bytes()[:200])
    with pytest.raises(DataFormatError, match="Parquet file cannot be read"):
        load_source(path)


# ---- huge lines ------------------------------------------------------------------------------------------


def test_ten_megabyte_jsonl_line_imports_as_one_row(tmp_path: Path) -> None:
    big = "word " * 2_000_000
    path = write(tmp_path / "huge.jsonl", orjson.dumps({"question": big, "answer": "short"}) + b"\n")
    started = time.monotonic()
    result = load_source(path)
    assert time.monotonic() - started < 20
    assert len(result.dataset[0]["input_text"]) == len(big)


def test_ten_megabyte_csv_cell_imports_as_one_row(tmp_path: Path) -> None:
    big = "value, " * 1_500_000
    path = write(tmp_path / "huge.csv", f'question,answer\n"{big}",short\nsmall,row\n')
    result = load_source(path)
    assert len(result.dataset[0]["input_text"]) == len(big)
    assert result.dataset[1]["output_text"] == "row"


def test_ten_megabyte_line_of_garbage_fails_fast(tmp_path: Path) -> None:
    path = write(tmp_path / "garbage.jsonl", b"{" + b"z" * 10_000_000)
    started = time.monotonic()
    with pytest.raises(DataFormatError) as caught:
        load_source(path)
    assert time.monotonic() - started < 20
    assert caught.value.line == 1
    assert len(caught.value.message) < 500  # the line itself is not pasted into the message


# ---- empty, unknown, missing -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.csv", "empty.jsonl", "empty.json", "empty.tsv"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, b"")
    with pytest.raises(DataFormatError, match="is empty") as caught:
        load_source(path)
    assert_user_facing(caught.value, path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("blank.jsonl", "\n\n   \n", "is empty"),
        ("header.csv", "question,answer\n", "header but no data rows"),
        ("none.json", "[]", "no records"),
        ("nothing.json", "{}", "no records"),
    ],
)
def test_files_without_records(tmp_path: Path, name: str, content: str, message: str) -> None:
    with pytest.raises(DataFormatError, match=message):
        load_source(write(tmp_path / name, content))


@pytest.mark.parametrize("name", ["notes.txt", "data.xlsx", "README"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, "question,answer\na,b\n")
    with pytest.raises(DataFormatError, match="Unknown file type") as caught:
        detect_format(path)
    assert ".jsonl" in caught.value.fix and ".parquet" in caught.value.fix


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="File not found"):
        load_source(tmp_path / "nope.csv")


def test_preview_of_a_file_without_text_columns_reports_the_problem(tmp_path: Path) -> None:
    preview = preview_columns(write(tmp_path / "nums.csv", "a,b\n1,2\n3,4\n"))
    assert preview["mapping"] is None
    assert preview["error"]["error"] == "MappingError"
    assert preview["needs_manual_mapping"] is True


def test_errors_are_typed_vibeflow_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "nums.csv", "a,b\n1,2\n")
    with pytest.raises(MappingError) as caught:
        load_source(path)
    assert caught.value.to_dict()["error"] == "MappingError"
