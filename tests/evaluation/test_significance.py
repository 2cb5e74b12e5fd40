"""The paired bootstrap interval of tuned - base, on cases small enough to check by hand."""

from __future__ import annotations

from vibeflow.evaluation.render import difference_lines
from vibeflow.evaluation.significance import differences, paired_bootstrap


def test_a_constant_improvement_has_a_zero_width_interval() -> None:
    out = paired_bootstrap([0.1, 0.2, 0.3, 0.4], [0.3, 0.4, 0.5, 0.6])
    assert out["n"] == 4 and abs(out["mean"] - 0.2) < 1e-12
    assert abs(out["low"] - 0.2) < 1e-12 and abs(out["high"] - 0.2) < 1e-12 and out["verdict"] == "better"


def test_symmetric_noise_is_no_clear_difference() -> None:
    # differences +1, -1, +1, -1: mean 0, every resample mean lies in [-1, 1] and the interval straddles 0
    out = paired_bootstrap([0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 1.0, 0.0])
    assert out["mean"] == 0.0 and -1.0 <= out["low"] < 0 < out["high"] <= 1.0
    assert out["verdict"] == "no clear difference"


def test_interval_bounds_follow_the_resampled_means() -> None:
    # two examples, differences 0 and 1: resample means are 0, 0.5 or 1 (p = 1/4, 1/2, 1/4)
    out = paired_bootstrap([0.0, 0.0], [0.0, 1.0])
    assert (out["low"], out["high"]) == (0.0, 1.0) and out["verdict"] == "no clear difference"


def test_missing_values_are_dropped_and_too_few_pairs_say_so() -> None:
    assert paired_bootstrap([None, 0.5], [0.2, None])["verdict"] == "too few examples"
    examples = [
        {
            "base": {"scores": {"token_f1": b, "rouge_l": b}},
            "tuned": {"scores": {"token_f1": t, "rouge_l": t}},
        }
        for b, t in [(0.1, 0.5), (0.2, 0.6), (0.0, 0.3)]
    ]
    out = differences(examples)
    assert set(out) == {"token_f1", "rouge_l"} and out["token_f1"]["verdict"] == "better"
    lines = difference_lines(out)
    assert "over 3 held-out examples" in lines[1] and "Token F1" in lines[2] and "better" in lines[2]
