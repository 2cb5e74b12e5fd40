"""Near duplicates in short support tickets: recall and precision of the quality report on a labelled set."""

from __future__ import annotations

import json
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "quality"
sys.path.insert(0, str(FIXTURES))
from quality_builders import dataset  # noqa: E402
from short_pairs import OUT, generate  # noqa: E402

from vibeflow.data.quality.report import QualityReport, build_report  # noqa: E402
from vibeflow.data.tokens import get_token_counter  # noqa: E402

RECORDS = [json.loads(line) for line in OUT.read_text(encoding="utf-8").splitlines() if line.strip()]
ROWS = [r for r in RECORDS if "id" in r]
LABELS = [r for r in RECORDS if "pair" in r]


def flagged_pairs(report: QualityReport) -> set[tuple[int, int]]:
    """Row pairs (i < j) the report calls duplicates of each other: exact copies or a verified near pair."""
    first = report.analysis.exact_first
    linked = {tuple(p) for p in report.analysis.near_pairs.tolist()}
    out = set()
    for i, j in combinations(range(len(first)), 2):
        a, b = sorted((int(first[i]), int(first[j])))
        if a == b or (a, b) in linked:
            out.add((i, j))
    return out


@pytest.fixture(scope="module")
def report() -> QualityReport:
    pairs = [(r["instruction"], r["response"]) for r in ROWS]
    return build_report(dataset(pairs), fmt="jsonl", mapping={}, token_counter=get_token_counter(None))


def test_labelled_set_is_what_the_generator_writes() -> None:
    assert generate() == RECORDS, "regenerate: .venv/bin/python tests/data/fixtures/quality/short_pairs.py"
    words = np.array([len(r[c].split()) for r in ROWS for c in ("instruction", "response")])
    assert words.min() >= 15 and words.max() <= 60
    kinds = Counter(label["label"] for label in LABELS)
    assert kinds["duplicate"] >= 150 and kinds["distinct"] >= 50


def test_report_finds_near_duplicate_tickets_with_high_precision(report: QualityReport) -> None:
    group = np.array([r["group"] for r in ROWS])
    truth = {(i, j) for i, j in combinations(range(len(ROWS)), 2) if group[i] == group[j]}
    found = flagged_pairs(report)
    hits = found & truth
    recall, precision = len(hits) / len(truth), len(hits) / max(1, len(found))
    missed = Counter(ROWS[j]["edit"] for i, j in truth - found)
    distinct_flagged = sum(tuple(label["pair"]) in found for label in LABELS if label["label"] == "distinct")
    summary = f"recall {recall:.3f}, precision {precision:.3f}; missed {dict(missed)}; "
    summary += f"{distinct_flagged} labelled distinct pairs flagged, {len(found - truth)} false pairs in all"
    print(summary)
    assert recall >= 0.95 and precision >= 0.95, summary
    per_kind = Counter(ROWS[j]["edit"] for i, j in truth)  # no kind of edit may be left out
    assert all(missed[kind] <= 0.2 * count for kind, count in per_kind.items()), summary
    assert report.issue("near_duplicate") is not None
