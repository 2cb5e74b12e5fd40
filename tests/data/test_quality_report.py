"""Quality report on a dataset with one planted defect per check: kinds, source row numbers, severities, scores."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "quality"))
from quality_builders import PLANTED, clean_pairs, dataset, near_copy, text  # noqa: E402

from vibeflow.data.quality.report import STAGES, QualityReport, build_report  # noqa: E402
from vibeflow.data.tokens import get_token_counter  # noqa: E402

FIRST_ROW = 1000  # source row numbers start here, so a test can tell row numbers from indices
CLEAN = 130
PLANT = {  # index in the dataset -> defect
    130: "missing output",
    131: "blank input",
    132: "exact copy of 5 (case/space)",
    133: "exact copy of 5",
    134: "near copy of 10",
    135: "short input",
    136: "long output",
    137: "over context",
    138: "input heavy",
    **{139 + k: f"planted:{k}" for k in range(len(PLANTED))},
}
# planted.jsonl order: French, e-mail, phone, card, AWS key, mojibake, control char, U+FFFD
FRENCH, EMAIL, PHONE, CARD, SECRET, MOJIBAKE, CONTROL, REPLACEMENT = range(139, 139 + len(PLANTED))


def source(index: int) -> int:
    return FIRST_ROW + index


def planted_pairs() -> list[tuple[str, str]]:
    pairs = clean_pairs(CLEAN, seed=1)
    q5, a5 = pairs[5]
    q10, a10 = pairs[10]
    long_rng_pairs = clean_pairs(3, seed=99)
    import random

    rng = random.Random(5)
    pairs += [
        (long_rng_pairs[0][0], ""),
        ("   \n\t ", long_rng_pairs[1][1]),
        (f"  {q5.upper()}  ", a5.replace(" ", "   ")),
        (q5, a5),
        (q10, near_copy(a10)),
        ("Reset it?", long_rng_pairs[2][1]),
        (long_rng_pairs[0][0], text(rng, 1100, 1200)),
        (long_rng_pairs[1][0], text(rng, 2600, 2800)),
        (text(rng, 320, 340), "Yes, that is right."),
    ]
    pairs += [(p["instruction"], p["response"]) for p in PLANTED]
    pairs += clean_pairs(12, seed=2)
    return pairs


@pytest.fixture(scope="module")
def report() -> QualityReport:
    pairs = planted_pairs()
    ds = dataset(pairs, [source(i) for i in range(len(pairs))])
    return build_report(
        ds,
        fmt="jsonl",
        mapping={"input": "q", "output": "a", "confidence": 1.0},
        token_counter=get_token_counter(None),
    )


def rows_of(report: QualityReport, kind: str) -> list[int]:
    issue = report.issue(kind)
    assert issue is not None, f"no {kind} issue in {[i.kind for i in report.issues]}"
    return issue.rows


def test_missing_rows_and_fix(report: QualityReport) -> None:
    issue = report.issue("missing")
    assert issue.rows == [source(130), source(131)]
    assert issue.fix == "drop_missing"
    assert issue.severity == "info"  # 2 of 159 rows = 1.3% < 5%


def test_exact_duplicates_are_the_later_copies(report: QualityReport) -> None:
    assert rows_of(report, "duplicate") == [source(132), source(133)]
    assert report.analysis.exact_first[132] == 5 and report.analysis.exact_first[133] == 5
    assert report.issue("duplicate").details["groups"] == 1


def test_near_duplicate_verified_and_excludes_exact_copies(report: QualityReport) -> None:
    assert rows_of(report, "near_duplicate") == [source(134)]
    assert report.analysis.near_parent[134] == 10
    checks = report.to_dict()["checks"]["near_duplicate"]
    assert checks["verified_pairs"] >= 1 and checks["num_perm"] == 64


def test_length_checks(report: QualityReport) -> None:
    assert source(135) in rows_of(report, "too_short")
    assert set(rows_of(report, "too_long")) == {source(136), source(137)}
    assert rows_of(report, "over_context") == [source(137)]
    lengths = report.analysis.lengths
    assert lengths.input_heavy[138] and not lengths.input_heavy[:CLEAN].any()
    assert source(138) in rows_of(report, "length_imbalance")
    assert report.issue("length_imbalance").details["input_heavy"] == 1


def test_encoding_damage(report: QualityReport) -> None:
    assert rows_of(report, "encoding") == [source(MOJIBAKE), source(CONTROL), source(REPLACEMENT)]
    details = report.issue("encoding").details
    assert details == {"replacement": 1, "mojibake": 1, "control": 1}
    assert report.issue("encoding").fix == "repair_mojibake"


def test_language_mismatch(report: QualityReport) -> None:
    rows = rows_of(report, "language_mismatch")
    assert source(FRENCH) in rows
    assert not set(rows) & {source(i) for i in range(CLEAN)}
    assert report.languages["dominant"] == "en"
    assert report.analysis.language.language[FRENCH] == "fr"


def test_pii_kinds(report: QualityReport) -> None:
    issue = report.issue("pii")
    assert issue.rows == [source(EMAIL), source(PHONE), source(CARD), source(SECRET)]
    assert issue.severity == "error"  # a credential
    assert {k: issue.details[k] for k in ("email", "phone", "card", "secret")} == {
        "email": 1,
        "phone": 1,
        "card": 1,
        "secret": 1,
    }
    assert "AWS Access Key" in issue.details["secret_kinds"]
    assert "secrets/API keys" in issue.message and "e-mail" in issue.message


def test_no_false_positives_on_clean_rows(report: QualityReport) -> None:
    clean_rows = {source(i) for i in range(CLEAN)} | {source(i) for i in range(147, 159)}
    for issue in report.issues:
        assert not set(issue.rows) & clean_rows, issue.kind
    assert report.issue("size") is None  # 159 rows >= 100


def test_scores_bounded_and_ordered(report: QualityReport) -> None:
    scores = report.row_scores
    assert scores.shape == (report.rows,)
    assert ((scores >= 0) & (scores <= 100)).all()
    assert (scores[:CLEAN][np.r_[0:5, 6:10, 11:CLEAN]] == 100).all()
    assert scores[130] == 0 and scores[131] == 0  # missing
    for broken in (132, 134, 135, 137, EMAIL, SECRET, MOJIBAKE):
        assert 0 < scores[broken] < 100
    assert scores[SECRET] < scores[EMAIL]  # credentials weigh more than an e-mail address
    assert 0 <= report.score <= 100
    assert report.score < scores.mean()  # the warning/error issues cost points on top of the mean
    hist = report.score_histogram
    assert sum(b["count"] for b in hist) == report.rows and hist[-1]["range"] == [90, 100]


def test_json_shape(report: QualityReport) -> None:
    out = json.loads(json.dumps(report.to_dict()))
    assert out["rows"] == 159 and out["format"] == "jsonl"
    assert out["mapping"] == {"input": "q", "output": "a", "confidence": 1.0}
    assert set(out["lengths"]["input"]) == {"mean", "p50", "p95", "max"}
    assert out["lengths"]["tokenizer"] == "approx" and out["lengths"]["exact"] is False
    kinds = {i["kind"] for i in out["issues"]}
    assert kinds == {"missing", "duplicate", "near_duplicate", "too_short", "too_long", "over_context",
                     "length_imbalance", "encoding", "language_mismatch", "pii"}  # fmt: skip
    for issue in out["issues"]:
        assert issue["severity"] in ("info", "warning", "error") and issue["count"] >= len(issue["rows"]) > 0
    assert "row_scores" not in out
    full = report.to_dict(include_rows=True)
    assert len(full["row_scores"]) == 159 and full["row_numbers"][0] == FIRST_ROW
    assert out["fixes"]["dedup_exact"] == 2 and out["fixes"]["drop_missing"] == 2


def test_progress_reports_every_stage() -> None:
    seen: list[tuple[str, int, int]] = []
    build_report(
        dataset(clean_pairs(20)), fmt="jsonl", mapping={}, token_counter=get_token_counter(None),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )  # fmt: skip
    stages = [s for s, _, total in seen if total == len(STAGES)]
    assert stages == list(STAGES)
    assert ("scanning text", 20, 20) in seen
