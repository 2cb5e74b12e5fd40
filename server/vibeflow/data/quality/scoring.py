"""Quality scores: 0-100 per row from the row's own issues, 0-100 per dataset from row quality and dataset-level issues.

Row score = 100 x product over the row's problems of (1 - weight). A clean row scores 100; a blank input or
output scores 0; two problems compound (a near duplicate that is also too short: 100 x 0.6 x 0.85 = 51).

Dataset score = mean row score - 5 per warning-level issue - 15 per error-level issue, clamped to 0-100.
The mean carries prevalence (10% blank rows cost 10 points); the severity penalties carry what a mean hides:
a problem that crossed the product thresholds (e.g. > 5% missing, > 2% duplicates), credentials in the data,
a dataset under 100 rows, test rows leaking from training.
"""

from __future__ import annotations

import numpy as np

ROW_WEIGHTS: dict[str, float] = {
    "missing": 1.0,  # blank input or output: nothing to learn
    "secret": 0.6,  # credentials must never be trained into a model
    "duplicate": 0.5,  # a later exact copy: over-weights one example
    "near_duplicate": 0.4,
    "over_context": 0.4,  # will be truncated at training time
    "pii": 0.35,  # e-mail / phone / card number
    "replacement": 0.3,  # U+FFFD: characters lost
    "mojibake": 0.3,
    "language_mismatch": 0.25,
    "control": 0.15,
    "too_short": 0.15,
    "too_long": 0.15,
    "input_heavy": 0.1,
    "output_heavy": 0.05,
}
SEVERITY_PENALTY = {"info": 0.0, "warning": 5.0, "error": 15.0}
HISTOGRAM_BINS = 10


def row_scores(problems: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Per-row score 0-100 from boolean masks keyed like ROW_WEIGHTS."""
    keep = np.ones(n, dtype=np.float64)
    for name, mask in problems.items():
        weight = ROW_WEIGHTS[name]
        keep *= np.where(mask, 1.0 - weight, 1.0)
    return np.round(100.0 * keep, 1)


def dataset_score(scores: np.ndarray, severities: list[str]) -> float:
    if len(scores) == 0:
        return 0.0
    penalty = sum(SEVERITY_PENALTY[s] for s in severities)
    return round(float(np.clip(scores.mean() - penalty, 0.0, 100.0)), 1)


def histogram(scores: np.ndarray) -> list[dict[str, object]]:
    """Counts of row scores in ten bins [0,10), [10,20) ... [90,100]."""
    counts, edges = np.histogram(scores, bins=HISTOGRAM_BINS, range=(0.0, 100.0))
    return [
        {"range": [int(edges[i]), int(edges[i + 1])], "count": int(counts[i])} for i in range(HISTOGRAM_BINS)
    ]
