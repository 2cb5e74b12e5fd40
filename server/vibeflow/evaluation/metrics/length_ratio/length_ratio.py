"""Length ratio: predicted vs reference length in words, with the too-short / too-long alert (an evaluate module)."""

from __future__ import annotations

import re
import unicodedata

import datasets
import evaluate

LOW, HIGH = 0.7, 1.3  # alert thresholds from the product documents
IDEAL_LOW, IDEAL_HIGH = 0.9, 1.1  # full length appropriateness inside this band
_DESCRIPTION = (
    "ratio = total predicted words / total reference words (corpus level); alert when < 0.7 (too short) or "
    "> 1.3 (too verbose). Per example: ratio and appropriateness in 0..1 — 1 inside 0.9..1.1, falling "
    "linearly to 0 at ratio 0.5 and at ratio 2.0 (an empty answer scores 0)."
)
_INPUTS = (
    "predictions: list of str; references: list of str; per_example: bool (add 'ratios', 'appropriateness')"
)
_WORD = re.compile(r"[^\W_]+")


def count_words(text: str) -> int:
    return len(_WORD.findall(unicodedata.normalize("NFKC", text or "")))


def appropriateness(ratio: float) -> float:
    if ratio <= 0:
        return 0.0
    if IDEAL_LOW <= ratio <= IDEAL_HIGH:
        return 1.0
    if ratio < IDEAL_LOW:
        return max(0.0, (ratio - 0.5) / (IDEAL_LOW - 0.5))
    return max(0.0, (2.0 - ratio) / (2.0 - IDEAL_HIGH))


class LengthRatio(evaluate.Metric):
    """Length ratio and length appropriateness."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def _compute(self, predictions: list[str], references: list[str], per_example: bool = False) -> dict:
        pred = [count_words(p) for p in predictions]
        ref = [count_words(r) for r in references]
        ratios = [p / r if r else (1.0 if p == 0 else float(p)) for p, r in zip(pred, ref, strict=True)]
        scores = [appropriateness(r) if p else 0.0 for r, p in zip(ratios, pred, strict=True)]
        total = sum(pred) / sum(ref) if sum(ref) else 0.0
        n = max(len(ratios), 1)
        out: dict = {
            "length_ratio": total,
            "mean_ratio": sum(ratios) / n,
            "appropriateness": sum(scores) / n,
            "too_short_share": sum(r < LOW for r in ratios) / n,
            "too_long_share": sum(r > HIGH for r in ratios) / n,
            "alert": "too_short" if total < LOW else "too_long" if total > HIGH else None,
        }
        if per_example:
            out["ratios"] = ratios
            out["appropriateness_scores"] = scores
        return out
