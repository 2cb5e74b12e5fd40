"""Our metric modules load by path with `evaluate.load` offline and give hand-computed values."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from vibeflow.evaluation.loader import METRIC_NAMES, load_metric, metric_path


def compute(name: str, predictions: list, references: list, **kwargs: object) -> dict:
    return load_metric(name).compute(predictions=predictions, references=references, **kwargs)


def test_every_module_lives_in_the_repo_and_loads_offline_without_torch() -> None:
    """evaluate.load(<our directory>) works with the Hub unreachable and keeps torch out of the backend."""
    for name in METRIC_NAMES:
        assert (metric_path(name) / f"{name}.py").is_file()
    code = (
        "import sys\n"
        "from vibeflow.evaluation.loader import METRIC_NAMES, load_metric\n"
        "mods = [load_metric(n) for n in METRIC_NAMES]\n"
        "print(sorted(m.name for m in mods))\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "exact_match" in out.stdout and "semantic_similarity" in out.stdout


def test_exact_match_normalises_case_punctuation_and_spaces() -> None:
    out = compute(
        "exact_match",
        ["Paris.", "The cat", "  hello   WORLD "],
        ["paris", "the dog", "Hello, world"],
        per_example=True,
    )
    assert out["scores"] == [1.0, 0.0, 1.0]
    assert out["exact_match"] == pytest.approx(2 / 3)


def test_token_f1_counts_shared_words_with_multiplicity() -> None:
    out = compute(
        "token_f1",
        ["the cat sat", "a b b", "", ""],
        ["the cat sat on the mat", "b b c", "", "x"],
        per_example=True,
    )
    assert out["precisions"][0] == 1.0 and out["recalls"][0] == 0.5 and out["f1s"][0] == pytest.approx(2 / 3)
    assert out["f1s"][1] == pytest.approx(2 / 3)  # shared {b: 2}: P = R = 2/3
    assert out["f1s"][2:] == [1.0, 0.0]  # both empty = match; one empty = 0
    assert out["f1"] == pytest.approx((2 / 3 + 2 / 3 + 1 + 0) / 4)


def test_rouge_l_uses_the_longest_common_subsequence() -> None:
    out = compute("rouge_l", ["a b c d", "x y"], ["a c d e", "z"], per_example=True)
    assert out["scores"] == [pytest.approx(0.75), 0.0]  # LCS "a c d" = 3 of 4 words each way
    assert out["rougeL"] == pytest.approx(0.375)


def test_bleu_hand_computed() -> None:
    pred, ref = ["the cat is on the mat"], ["the cat sat on the mat"]
    # modified precisions 5/6, 3/5, 1/4, 0/3; equal lengths so brevity penalty 1
    assert compute("bleu", pred, ref, smooth=False)["bleu"] == 0.0
    assert compute("bleu", pred, ref, smooth=False, max_order=2)["bleu"] == pytest.approx(
        math.sqrt(5 / 6 * 3 / 5)
    )
    smoothed = (6 / 7 * 4 / 6 * 2 / 5 * 1 / 4) ** 0.25
    assert compute("bleu", pred, ref)["bleu"] == pytest.approx(smoothed)
    assert compute("bleu", ["open the settings page now"], ["open the settings page now"])[
        "bleu"
    ] == pytest.approx(1.0)
    short = compute("bleu", ["open the settings"], ["open the settings page now"], smooth=False, max_order=1)
    assert short["brevity_penalty"] == pytest.approx(math.exp(1 - 5 / 3)) and short["bleu"] == pytest.approx(
        math.exp(1 - 5 / 3)
    )


def test_length_ratio_alerts_and_appropriateness() -> None:
    out = compute("length_ratio", ["a b c d e f", "x"], ["a b c", "y z"], per_example=True)
    assert out["length_ratio"] == pytest.approx(7 / 5) and out["alert"] == "too_long"
    assert out["ratios"] == [2.0, 0.5] and out["appropriateness_scores"] == [0.0, 0.0]
    ok = compute("length_ratio", ["a b c d e f g", "a b c d e f g h i j"], ["a b c d e f g h i j", "a b c d e f g"],
                 per_example=True)  # fmt: skip
    assert ok["alert"] is None and ok["length_ratio"] == pytest.approx(1.0)
    assert ok["appropriateness_scores"] == [pytest.approx(0.5), pytest.approx((2 - 10 / 7) / 0.9)]
    short = compute("length_ratio", ["a", "b"], ["a b c", "d e f"])
    assert short["alert"] == "too_short" and short["too_short_share"] == 1.0
    assert (
        compute("length_ratio", ["", "x y"], ["a b", "c d"], per_example=True)["appropriateness_scores"][0]
        == 0.0
    )


def test_semantic_similarity_is_the_mean_cosine() -> None:
    out = compute("semantic_similarity", [[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], [[2.0, 0.0], [0.0, 3.0], [1.0, 0.0]],
                  per_example=True)  # fmt: skip
    assert out["scores"] == [pytest.approx(1.0), pytest.approx(math.sqrt(0.5)), 0.0]
    assert out["similarity"] == pytest.approx((1 + math.sqrt(0.5)) / 3)
