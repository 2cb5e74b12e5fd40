"""Exact match: the share of predictions equal to their reference after light normalisation (an evaluate module)."""

from __future__ import annotations

import re
import string
import unicodedata

import datasets
import evaluate

_DESCRIPTION = (
    "Share of predictions identical to the reference after Unicode NFKC, lower-casing, removing punctuation and "
    "collapsing whitespace. 1.0 = every answer matches."
)
_INPUTS = "predictions: list of str; references: list of str; per_example: bool (add 'scores', 0/1 per pair)"
_PUNCT = re.compile(f"[{re.escape(string.punctuation)}\u2018\u2019\u201c\u201d\u2013\u2014\u2026]")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(_PUNCT.sub(" ", text).split())


class ExactMatch(evaluate.Metric):
    """Normalised exact match."""

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
        scores = [float(normalize(p) == normalize(r)) for p, r in zip(predictions, references, strict=True)]
        out: dict = {"exact_match": sum(scores) / len(scores) if scores else 0.0}
        if per_example:
            out["scores"] = scores
        return out
