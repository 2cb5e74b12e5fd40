"""Individual checks: thresholds and severities, leakage, near-duplicate recall against brute force, prefilters."""

from __future__ import annotations

import random
import string
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "quality"))
from quality_builders import PLANTED, clean_pairs, dataset, near_copy, text  # noqa: E402

from vibeflow.data.quality import language as language_mod  # noqa: E402
from vibeflow.data.quality.columns import load_columns  # noqa: E402
from vibeflow.data.quality.minhash import candidate_probability, datasketch_params, densify, lsh_params  # noqa: E402
from vibeflow.data.quality.neardup import find_near_duplicates  # noqa: E402
from vibeflow.data.quality.patterns import SECRET_ANCHORS, badness_re2  # noqa: E402
from vibeflow.data.quality.pii import is_card_number, luhn_valid  # noqa: E402
from vibeflow.data.quality.report import build_report  # noqa: E402
from vibeflow.data.quality.secrets import secret_types  # noqa: E402
from vibeflow.data.quality.sketch import sketch_columns  # noqa: E402
from vibeflow.data.quality.wordsets import JACCARD, MIN_JACCARD, SLACK_WORDS, pair_similarity, word_sets  # noqa: E402
from vibeflow.data.tokens import get_token_counter  # noqa: E402


def report_of(pairs, **kwargs):  # noqa: ANN001, ANN201
    return build_report(
        dataset(pairs), fmt="jsonl", mapping={}, token_counter=get_token_counter(None), **kwargs
    )


@pytest.mark.parametrize(("blank", "severity"), [(4, "info"), (6, "warning"), (25, "error")])
def test_missing_severity_follows_5_and_20_percent(blank: int, severity: str) -> None:
    pairs = clean_pairs(100, seed=3)
    for i in range(blank):
        pairs[i * 3] = (pairs[i * 3][0], "  ")
    issue = report_of(pairs).issue("missing")
    assert issue.count == blank and issue.severity == severity
    assert issue.rows == [i * 3 + 1 for i in range(blank)]


@pytest.mark.parametrize(("copies", "severity"), [(2, "info"), (3, "warning")])
def test_duplicate_severity_follows_2_percent(copies: int, severity: str) -> None:
    pairs = clean_pairs(100, seed=4)
    for i in range(copies):
        pairs[50 + i] = pairs[i]
    issue = report_of(pairs).issue("duplicate")
    assert issue.count == copies and issue.severity == severity
    assert issue.rows == [51 + i for i in range(copies)]


def test_token_thresholds_are_strict_boundaries() -> None:
    rng = random.Random(8)
    answer = text(rng, 30, 40)
    pairs = clean_pairs(100, seed=5)
    pairs[0] = ("a" * 35 + "?", answer)  # 36 ASCII chars -> 9 approx tokens: too short
    pairs[1] = ("b" * 39 + "?", answer)  # 40 chars -> 10 tokens: not too short
    pairs[2] = (pairs[2][0], "x" * 3999 + ".")  # 4000 chars -> 1000 tokens: not too long
    pairs[3] = (pairs[3][0], "y" * 4003 + ".")  # 1001 tokens: too long
    report = report_of(pairs)
    assert report.analysis.lengths.input_tokens[:2].tolist() == [9, 10]
    assert report.analysis.lengths.output_tokens[2:4].tolist() == [1000, 1001]
    assert report.issue("too_short").rows == [1]
    assert report.issue("too_long").rows == [4]


def test_over_context_uses_context_length_and_template_overhead() -> None:
    pairs = clean_pairs(100, seed=6)
    report = report_of(pairs, context_length=64)
    lengths = report.analysis.lengths
    expected = (lengths.input_tokens + lengths.output_tokens + 11) > 64  # 1 + 5 per message, 2 messages
    assert np.array_equal(lengths.over_context, expected) and expected.any()
    issue = report.issue("over_context")
    assert issue.count == int(expected.sum()) and issue.severity == "error"  # > 20% of rows
    assert report.to_dict()["lengths"]["context_length"] == 64


def test_imbalance_needs_ratio_over_10_and_a_long_side() -> None:
    pairs = clean_pairs(100, seed=7)
    pairs[0] = ("z" * 400, "w" * 40)  # 100 vs 10 tokens: exactly 10:1, not flagged
    pairs[1] = ("z" * 404, "w" * 40)  # 101 vs 10: flagged, input heavy
    pairs[2] = ("q" * 160, "w" * 12)  # 40 vs 3: ratio 13 but the longer side is under 50 tokens
    report = report_of(pairs)
    lengths = report.analysis.lengths
    assert lengths.input_heavy[:3].tolist() == [False, True, False]
    assert report.issue("length_imbalance").rows == [2]


def test_size_warnings() -> None:
    small = report_of(clean_pairs(30, seed=9))
    issue = small.issue("size")
    assert issue.severity == "warning" and issue.count == 30
    assert report_of(clean_pairs(100, seed=9)).issue("size") is None


def test_rows_listed_are_capped() -> None:
    pairs = clean_pairs(1200, seed=10)
    pairs = [(q, "") for q, _ in pairs[:1100]] + pairs[1100:]
    issue = report_of(pairs).issue("missing")
    assert issue.count == 1100 and len(issue.rows) == 1000 and issue.rows_truncated
    assert issue.rows[:3] == [1, 2, 3]


def test_clean_dataset_scores_higher_than_a_damaged_one() -> None:
    clean = report_of(clean_pairs(120, seed=11))
    damaged_pairs = clean_pairs(120, seed=11)
    for i in range(10):
        damaged_pairs[100 + i] = damaged_pairs[i]
        damaged_pairs[80 + i] = (damaged_pairs[80 + i][0], "")
    damaged = report_of(damaged_pairs)
    assert clean.score == 100.0 and not clean.issues
    assert 0 <= damaged.score < clean.score


def test_leakage_detects_exact_and_near_copies_in_the_test_set() -> None:
    pairs = clean_pairs(150, seed=12)
    train_pairs, test_pairs = pairs[:120], pairs[120:]
    test_pairs[3] = train_pairs[7]
    test_pairs[8] = (train_pairs[20][0].lower(), train_pairs[20][1])
    test_pairs[15] = (train_pairs[40][0], near_copy(train_pairs[40][1]))
    train = dataset(train_pairs)
    test = dataset(test_pairs, rows=list(range(121, 151)))
    report = build_report(train, fmt="jsonl", mapping={}, token_counter=get_token_counter(None), test_ds=test)
    issue = report.issue("leakage")
    assert issue.rows == [124, 129, 136]
    assert issue.details == {"exact": 2, "near": 1, "test_rows": 30}
    assert issue.severity == "error"  # 10% of the test rows
    clean = build_report(
        train, fmt="jsonl", mapping={}, token_counter=get_token_counter(None), test_ds=dataset(pairs[120:])
    )
    assert clean.issue("leakage") is None


def python_word_sets(pairs: list[tuple[str, str]]) -> list[set[tuple[str, str]]]:
    """Reference word sets: (column, word) for every lower-cased, punctuation-trimmed word."""
    return [
        {
            (column, w.lower().strip(string.punctuation))
            for column, t in (("in", q), ("out", a))
            for w in t.split()
        }
        - {("in", ""), ("out", "")}
        for q, a in pairs
    ]


def is_near(a: set, b: set) -> bool:
    """The rule of wordsets.py written out: J >= clip(1 - SLACK_WORDS / |A u B|, MIN_JACCARD, JACCARD)."""
    union = len(a | b)
    return len(a & b) / union >= min(JACCARD, max(MIN_JACCARD, 1 - SLACK_WORDS / union))


def test_word_set_similarity_matches_python_sets() -> None:
    pairs = clean_pairs(60, seed=17)
    pairs += [(q.upper(), near_copy(a, k, "Sunday!")) for k, (q, a) in enumerate(pairs[:20])]
    reference = python_word_sets(pairs)
    left, right = np.array(list(combinations(range(len(pairs)), 2))).T
    similarity, union = pair_similarity(
        word_sets(*map(list, zip(*pairs, strict=True))),
        left,
        word_sets(*map(list, zip(*pairs, strict=True))),
        right,
    )
    expected = [
        len(reference[i] & reference[j]) / len(reference[i] | reference[j])
        for i, j in zip(left, right, strict=True)
    ]
    assert np.allclose(similarity, expected)
    assert union.tolist() == [len(reference[i] | reference[j]) for i, j in zip(left, right, strict=True)]


def test_near_duplicates_match_brute_force_jaccard() -> None:
    rng = random.Random(13)
    base = clean_pairs(60, seed=14)
    pairs = list(base)
    for k in range(40):  # edited copies with 1-12 words changed: some within the rule, some outside
        q, a = base[k]
        for _ in range(1 + k % 12):
            a = near_copy(a, position=rng.randrange(60), word=rng.choice(["alpha", "beta", "gamma", "delta"]))
        if k % 3 == 0:
            q = near_copy(q, position=rng.randrange(20), word="epsilon")
        pairs.append((q, a))
    report = report_of(pairs)
    sets = python_word_sets(pairs)
    truth = {(i, j) for i, j in combinations(range(len(pairs)), 2) if is_near(sets[i], sets[j])}
    found = {tuple(p) for p in report.analysis.near_pairs.tolist()}
    assert found <= truth  # every reported pair is verified
    assert (
        len(found) >= 0.9 * len(truth) and 0 < len(truth) < 40
    )  # LSH recall; not every edited copy qualifies
    flagged = set(np.flatnonzero(report.analysis.near_duplicate).tolist())
    assert flagged == {j for _, j in found}


def test_lsh_parameters_come_from_datasketch() -> None:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=64, weights=(0.1, 0.9))
    assert lsh_params() == (lsh.b, lsh.r) == datasketch_params()  # the pinned default is datasketch's choice
    assert lsh_params(0.7) == datasketch_params(0.7)
    bands, rows = lsh_params()
    # Two 15-word fields with two words changed in each keep ~55% of their bigrams; unrelated rows share few.
    assert candidate_probability(0.55, bands, rows) > 0.97 > 0.03 > candidate_probability(0.1, bands, rows)


def test_unrelated_rows_are_rarely_lsh_candidates() -> None:
    """Bands take far-apart bins: densification correlates adjacent ones, and bands of adjacent bins made 545
    candidate pairs of these 3,000 unrelated rows (~2 per row on the 1M-row bench), none of them similar."""
    cols = load_columns(dataset(clean_pairs(3000, seed=3)))
    sketch = sketch_columns(cols.input, cols.output)
    near = find_near_duplicates(cols, sketch.signature, densify(sketch.signature))
    assert near.candidates <= 10 and len(near.pairs) == 0


def test_language_sampling_path_flags_other_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language_mod, "ALL_ROWS", 100)
    monkeypatch.setattr(language_mod, "SAMPLE_ROWS", 50)
    pairs = clean_pairs(400, seed=15)
    french = PLANTED[0]
    for i in (33, 77, 250):
        pairs[i] = (french["instruction"] + f" ({i})", pairs[i][1])
    report = report_of(pairs)
    issue = report.issue("language_mismatch")
    assert issue.rows == [34, 78, 251]
    assert "sample of 50 rows" in report.languages["method"]
    assert report.languages["distribution"]["en"] > 0.9


def test_ftfy_expression_runs_identically_in_re2() -> None:
    from ftfy.badness import BADNESS_RE

    rng = random.Random(16)
    alphabet = [chr(c) for c in [*range(0x20, 0x250), *range(0x2000, 0x2070), *range(0x400, 0x460)]]
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(20000)]
    samples += ["cafÃ©", "naÃ¯ve â€” ok", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "plain text", "café", "Привет"]
    ours = pc.match_substring_regex(pa.array(samples), badness_re2()).to_pylist()
    assert ours == [bool(BADNESS_RE.search(s)) for s in samples]


@pytest.mark.parametrize(
    ("secret", "kind"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "AWS Access Key"),
        ("ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "GitHub Token"),
        ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "Slack Token"),
        ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "Stripe Access Key"),
        ("-----BEGIN RSA PRIVATE KEY-----", "Private Key"),
        ("https://admin:hunter2secret@db.example.com/prod", "Basic Auth Credentials"),
    ],
)
def test_secret_anchor_prefilter_is_a_superset(secret: str, kind: str) -> None:
    line = f"here is the value {secret} in the config"
    assert kind in secret_types(line)
    tokens = pa.array(line.split(" "))
    assert pc.any(pc.match_substring_regex(tokens, SECRET_ANCHORS)).as_py()


def test_card_numbers_need_luhn_and_a_network_prefix() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert is_card_number("4111 1111 1111 1111") and is_card_number("5500-0000-0000-0004")
    assert not is_card_number("1234 5678 9012 3456")  # no card network starts with 1
    assert not is_card_number("4444 4444 4444 4444 4")  # one repeated digit


def test_repeated_keys_small_and_large_paths() -> None:
    from vibeflow.data.quality.keysets import repeated

    rng = np.random.default_rng(17)
    for n in (50, 300_000):
        keys = rng.integers(0, 2**63, n, dtype=np.uint64)
        keys[n // 2] = keys[3]
        keys[n - 1] = keys[n // 3]
        mask = repeated(keys)
        assert set(np.flatnonzero(mask).tolist()) == {3, n // 2, n // 3, n - 1}


def test_empty_single_and_blank_datasets() -> None:
    import json

    from vibeflow.data.fixes import FIXES, apply_fixes

    empty = dataset(clean_pairs(1, seed=18)).select([])
    report = build_report(empty, fmt="jsonl", mapping={}, token_counter=get_token_counter(None))
    assert report.rows == 0 and report.score == 0.0
    assert [(i.kind, i.severity) for i in report.issues] == [("size", "error")]
    json.dumps(report.to_dict())
    fixed, summary = apply_fixes(empty, report, list(FIXES))
    assert len(fixed) == 0 and set(summary.values()) == {0}

    blank = report_of([("", ""), ("  ", "\n"), ("", "")])
    assert blank.issue("missing").severity == "error" and blank.issue("missing").count == 3
    assert blank.row_scores.tolist() == [0.0, 0.0, 0.0] and blank.score == 0.0


def test_size_info_above_a_million_rows() -> None:
    from vibeflow.data.quality.summarise import _size

    assert _size(1_000_001).severity == "info"
    assert _size(1_000_000) is None and _size(99).severity == "warning"
