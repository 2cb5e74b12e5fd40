"""ROUGE-L: longest-common-subsequence F-measure between prediction and reference words (an evaluate module)."""

from __future__ import annotations

import re
import unicodedata

import datasets
import evaluate

_DESCRIPTION = (
    "ROUGE-L F1 (Lin 2004): LCS length over prediction length (precision) and reference length (recall), "
    "combined as F1; words lower-cased, punctuation ignored. Mean over examples, 0..1."
)
_INPUTS = "predictions: list of str; references: list of str; per_example: bool (add 'scores')"
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").lower())


def lcs_length(a: list[str], b: list[str]) -> int:
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    pred, ref = words(prediction), words(reference)
    lcs = lcs_length(pred, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


class RougeL(evaluate.Metric):
    """ROUGE-L F-measure."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="Lin 2004, ROUGE: A Package for Automatic Evaluation of Summaries",
            inputs_description=_INPUTS,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def _compute(self, predictions: list[str], references: list[str], per_example: bool = False) -> dict:
        scores = [rouge_l(p, r) for p, r in zip(predictions, references, strict=True)]
        out: dict = {"rougeL": sum(scores) / len(scores) if scores else 0.0}
        if per_example:
            out["scores"] = scores
        return out
