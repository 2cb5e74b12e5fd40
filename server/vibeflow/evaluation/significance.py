"""Is tuned really better than base? A paired bootstrap 95% interval of the per-example metric difference.

Both models answer the same held-out prompts, so the differences are paired: resampling examples (with
replacement, 10,000 times, seeded) and taking the 2.5th and 97.5th percentiles of the mean difference gives an
interval that excludes zero only when the improvement is not plausibly noise of this sample of prompts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

RESAMPLES = 10_000
SEED = 20_241_207
CONFIDENCE = 0.95
# Higher is better for each; the interval is of tuned - base.
COMPARED = ("token_f1", "rouge_l", "semantic_similarity")


def paired_bootstrap(
    base: list[float], tuned: list[float], resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, Any]:
    """Mean of tuned - base with its percentile bootstrap interval; None values (not computed) are dropped."""
    pairs = [(b, t) for b, t in zip(base, tuned, strict=True) if b is not None and t is not None]
    if len(pairs) < 2:
        return {"n": len(pairs), "mean": None, "low": None, "high": None, "verdict": "too few examples"}
    diff = np.asarray([t - b for b, t in pairs], dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(resamples, len(diff)))].mean(axis=1)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    verdict = "better" if low > 0 else "worse" if high < 0 else "no clear difference"
    return {
        "n": len(diff),
        "mean": float(diff.mean()),
        "low": float(low),
        "high": float(high),
        "verdict": verdict,
    }


def differences(examples: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The interval for each compared metric over the scored examples."""
    out = {}
    for metric in COMPARED:
        base = [e["base"]["scores"].get(metric) for e in examples]
        tuned = [e["tuned"]["scores"].get(metric) for e in examples]
        if any(v is not None for v in base):
            out[metric] = paired_bootstrap(base, tuned)
    return out
