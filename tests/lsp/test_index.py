"""The incremental dataset index must always equal a fresh index of the edited text (random edit sequences)."""

from __future__ import annotations

import json
import random

from vibeflow.lsp.dataset_index import JsonlIndex
from vibeflow.lsp.dataset_rows import RowSchema
from vibeflow.lsp.documents import LineDocument, to_column, to_index
from vibeflow.lsp.scanners import approximate_tokens, fallback_find_pii

SCHEMA = RowSchema(required=("q", "a"), max_tokens=40)
POOL = [
    json.dumps({"q": "hello", "a": "world"}),
    json.dumps({"q": "same", "a": "same"}),
    json.dumps({"q": "mail", "a": "write to bob@example.org"}),
    json.dumps({"q": "long", "a": "x " * 200}),
    json.dumps({"q": "missing"}),
    '{"q": "broken", ',
    "",
    json.dumps([1, 2]),
]


def fresh(lines: list[str]) -> JsonlIndex:
    index = JsonlIndex(SCHEMA)
    index.reset(len(lines))
    index.basic_pass(lines, 10**9)
    deep(index)
    index.deep_pass(lines, 10**9)
    return index


def deep(index: JsonlIndex) -> None:
    index.count_tokens, index.find_pii, index.deep_enabled = approximate_tokens, fallback_find_pii, True


def state(index: JsonlIndex) -> tuple[object, ...]:
    snap = index.snapshot(10**6)
    return (
        [(line, issue.code, issue.message, issue.start, issue.end) for line, issue in snap.items],
        snap.total,
        index.counts,
        index.dup_keys,
        index.marked,
    )


def test_random_edits_match_a_fresh_index() -> None:
    rng = random.Random(3)
    for _round in range(40):
        doc = LineDocument.from_text(
            "file:///t.jsonl", 1, "jsonl", "\n".join(rng.choice(POOL) for _ in range(30))
        )
        index = JsonlIndex(SCHEMA)
        index.reset(len(doc.lines))
        index.basic_pass(doc.lines, 7)  # partial pass: edits arrive while the background pass is running
        for _step in range(25):
            a = rng.randrange(len(doc.lines))
            b = min(len(doc.lines) - 1, a + rng.choice((0, 0, 1, 2)))
            text = (
                "\n".join(rng.choice(POOL) for _ in range(rng.choice((1, 1, 2, 3))))
                if rng.random() < 0.8
                else ""
            )
            end_col = len(doc.lines[b]) if rng.random() < 0.7 else 0
            edit = doc.apply((a, 0), (b, end_col), text)
            index.apply_edit(edit, doc.lines)
            if rng.random() < 0.3:
                index.basic_pass(doc.lines, 5)
            if rng.random() < 0.2 and not index.deep_enabled:
                deep(index)
        while not index.basic_pass(doc.lines, 5):
            pass
        deep(index)
        index.deep_pass(doc.lines, 10**9)
        assert state(index) == state(fresh(doc.lines))


def test_duplicate_points_at_first_copy_and_clears_when_unique() -> None:
    doc = LineDocument.from_text(
        "file:///t.jsonl", 1, "jsonl", "\n".join([POOL[0], POOL[1], POOL[0], POOL[0]])
    )
    index = fresh(doc.lines)
    dups = [(line, issue.message) for line, issue in index.snapshot(100).items if issue.code == "duplicate"]
    assert dups == [
        (2, "exact duplicate of line 1 (3 copies in this file)"),
        (3, "exact duplicate of line 1 (3 copies in this file)"),
    ]
    for line in (3, 2):
        index.apply_edit(doc.apply((line, 0), (line, len(doc.lines[line])), POOL[5 - line]), doc.lines)
    assert not [i for i in index.snapshot(100).items if i[1].code == "duplicate"]
    assert index.marked == [2, 3], "only the lines that still have issues stay marked"


def test_utf16_columns_round_trip() -> None:
    line = 'a😀b é "x"'
    for index in range(len(line) + 1):
        assert to_index(line, to_column(line, index)) == index
    assert to_column(line, 2) == 3  # the emoji is two UTF-16 code units
    doc = LineDocument.from_text("file:///t", 1, "x", line)
    doc.apply((0, 3), (0, 4), "B")  # replace "b" addressed in UTF-16 units
    assert doc.lines == ['a😀B é "x"']


def test_crlf_and_edits_across_lines() -> None:
    doc = LineDocument.from_text("file:///t", 1, "x", "one\r\ntwo\r\nthree")
    assert doc.lines == ["one", "two", "three"] and doc.eol == "\r\n"
    edit = doc.apply((0, 1), (2, 2), "X\nY")
    assert doc.lines == ["oX", "Yree"] and (edit.start, edit.removed, edit.added) == (0, 3, 2)
    doc.apply((5, 0), (9, 0), "tail")  # past the end: appended, never an error
    assert doc.lines == ["oX", "Yreetail"]
