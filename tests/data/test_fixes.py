"""Fixes: each op removes or rewrites exactly the rows the report marks, and never touches the input dataset."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "quality"))
from quality_builders import PLANTED, clean_pairs, dataset, near_copy  # noqa: E402

from vibeflow.data.canonical import split_texts  # noqa: E402
from vibeflow.data.fixes import FIXES, apply_fixes  # noqa: E402
from vibeflow.data.quality.report import QualityReport, build_report  # noqa: E402
from vibeflow.data.tokens import get_token_counter  # noqa: E402
from vibeflow.errors import VibeFlowError  # noqa: E402

MOJIBAKE = PLANTED[5]
CONTROL = PLANTED[6]


def build(pairs, **kwargs) -> tuple:  # noqa: ANN001
    ds = dataset(pairs, rows=[10 + i for i in range(len(pairs))])
    return ds, build_report(ds, fmt="jsonl", mapping={}, token_counter=get_token_counter(None), **kwargs)


@pytest.fixture(scope="module")
def planted() -> tuple:
    pairs = clean_pairs(40, seed=21)
    pairs[30] = (pairs[30][0], "")  # missing                   -> row 40
    pairs[31] = pairs[2]  # exact copy of row 12                -> row 41
    pairs[32] = (pairs[3][0], near_copy(pairs[3][1]))  # near copy of row 13 -> row 42
    pairs[33] = (pairs[33][0], "word " * 3000)  # over a 2048 context -> row 43
    pairs[34] = (MOJIBAKE["instruction"], MOJIBAKE["response"])  # -> row 44
    pairs[35] = (CONTROL["instruction"], CONTROL["response"])  # -> row 45
    pairs[36] = (
        "  Trailing spaces here   \r\n\r\n\r\n\r\nand a gap " + pairs[36][0],
        pairs[36][1] + "\u00a0",
    )
    return build(pairs)


def rows(ds) -> list[int]:  # noqa: ANN001
    return list(ds["row"])


def test_removal_fixes_drop_exactly_the_marked_rows(planted: tuple) -> None:
    ds, report = planted
    expected = {"drop_missing": [40], "dedup_exact": [41], "dedup_near": [42], "drop_over_context": [43]}
    for op, removed in expected.items():
        fixed, summary = apply_fixes(ds, report, [op])
        assert summary == {op: 1}
        assert rows(fixed) == [r for r in rows(ds) if r not in removed]


def test_combined_removals_count_each_row_once(planted: tuple) -> None:
    ds, report = planted
    before = ds.to_list()
    fixed, summary = apply_fixes(
        ds, report, ["drop_missing", "dedup_exact", "dedup_near", "drop_over_context"]
    )
    assert summary == {"drop_missing": 1, "dedup_exact": 1, "dedup_near": 1, "drop_over_context": 1}
    assert len(fixed) == len(ds) - 4 and 12 in rows(fixed) and 13 in rows(fixed)  # first copies stay
    assert ds.to_list() == before  # the input dataset is untouched
    assert fixed.column_names == ds.column_names


def test_repair_mojibake_rewrites_messages_and_texts(planted: tuple) -> None:
    ds, report = planted
    fixed, summary = apply_fixes(ds, report, ["repair_mojibake"])
    assert summary == {"repair_mojibake": 2}  # the mojibake row and the control-character row
    row = fixed.to_list()[34]
    assert row["row"] == 44
    assert "café serves crème brûlée" in row["messages"][0]["content"]
    assert (row["input_text"], row["output_text"]) == split_texts(row["messages"])
    control_row = fixed.to_list()[35]
    assert "\u0007" not in control_row["input_text"]
    assert ds.to_list()[34]["input_text"] == MOJIBAKE["instruction"]  # input unchanged
    again = build_report(fixed, fmt="jsonl", mapping={}, token_counter=get_token_counter(None))
    assert again.issue("encoding") is None


def test_normalize_whitespace(planted: tuple) -> None:
    ds, report = planted
    fixed, summary = apply_fixes(ds, report, ["normalize_whitespace"])
    assert summary["normalize_whitespace"] == 2  # row 46 and the "word word ... " row 43 (trailing space)
    assert fixed.to_list()[33]["output_text"] == ("word " * 3000).strip()
    row = fixed.to_list()[36]
    assert row["input_text"].startswith("Trailing spaces here\n\nand a gap ")
    assert not row["output_text"].endswith("\u00a0")
    assert (row["input_text"], row["output_text"]) == split_texts(row["messages"])
    unchanged = [r for i, r in enumerate(fixed.to_list()) if i not in (33, 36)]
    assert unchanged == [r for i, r in enumerate(ds.to_list()) if i not in (33, 36)]


def test_text_fix_after_removal_targets_the_right_rows(planted: tuple) -> None:
    ds, report = planted
    fixed, summary = apply_fixes(ds, report, ["dedup_exact", "drop_missing", "repair_mojibake"])
    assert summary == {"dedup_exact": 1, "drop_missing": 1, "repair_mojibake": 2}
    by_row = {r["row"]: r for r in fixed.to_list()}
    assert "crème brûlée" in by_row[44]["input_text"] and 40 not in by_row and 41 not in by_row


def test_multi_turn_conversations_keep_roles_and_turns() -> None:
    from datasets import Dataset

    from vibeflow.data.canonical import record

    messages = [
        {"role": "system", "content": "You are helpful.  "},
        {"role": "user", "content": "First question about the order status please  \r\n"},
        {"role": "assistant", "content": "It shipped."},
        {"role": "user", "content": "And the invoice?"},
        {"role": "assistant", "content": "Sent by e-mail.\n\n\n\nThanks"},
    ]
    ds = Dataset.from_list([record(7, messages)])
    report = build_report(ds, fmt="jsonl", mapping={}, token_counter=get_token_counter(None))
    fixed, summary = apply_fixes(ds, report, ["normalize_whitespace"])
    out = fixed.to_list()[0]
    assert summary == {"normalize_whitespace": 1}
    assert [m["role"] for m in out["messages"]] == [m["role"] for m in messages]
    assert out["output_text"] == "It shipped.\n\nSent by e-mail.\n\nThanks"
    assert (
        out["input_text"]
        == "You are helpful.\n\nFirst question about the order status please\n\nAnd the invoice?"
    )


def test_errors() -> None:
    ds, report = build(clean_pairs(5, seed=22))
    with pytest.raises(VibeFlowError, match="unknown fix"):
        apply_fixes(ds, report, ["drop_everything"])
    with pytest.raises(VibeFlowError, match="describes 5 rows"):
        apply_fixes(ds.select(range(3)), report, ["drop_missing"])
    assert FIXES == (
        "drop_missing", "dedup_exact", "dedup_near", "drop_over_context", "normalize_whitespace", "repair_mojibake",
    )  # fmt: skip


def test_report_of_fixed_dataset_is_clean(planted: tuple) -> None:
    ds, report = planted
    fixed, _ = apply_fixes(ds, report, list(FIXES))
    again: QualityReport = build_report(fixed, fmt="jsonl", mapping={}, token_counter=get_token_counter(None))
    kinds = {i.kind for i in again.issues}
    assert not kinds & {"missing", "duplicate", "near_duplicate", "over_context", "encoding"}
    assert again.score > report.score
