"""Token precision, recall and F1 between prediction and reference word bags (SQuAD style; an evaluate module)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import datasets
import evaluate

_DESCRIPTION = (
    "Word-level overlap: precision = shared words / predicted words, recall = shared words / reference words, "
    "F1 their harmonic mean (words counted with multiplicity, lower-cased, punctuation ignored). Averaged over "
    "examples. Two empty texts score 1; one empty text scores 0."
)
_INPUTS = "predictions: list of str; references: list of str; per_example: bool (add per-pair lists)"
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").lower())


def prf(prediction: str, reference: str) -> tuple[float, float, float]:
    pred, ref = words(prediction), words(reference)
    if not pred or not ref:
        same = float(not pred and not ref)
        return same, same, same
    shared = sum((Counter(pred) & Counter(ref)).values())
    if shared == 0:
        return 0.0, 0.0, 0.0
    precision, recall = shared / len(pred), shared / len(ref)
    return precision, recall, 2 * precision * recall / (precision + recall)


class TokenF1(evaluate.Metric):
    """Token-level precision / recall / F1."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="Rajpurkar et al. 2016, SQuAD: 100,000+ Questions for Machine Comprehension of Text",
            inputs_description=_INPUTS,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def _compute(self, predictions: list[str], references: list[str], per_example: bool = False) -> dict:
        triples = [prf(p, r) for p, r in zip(predictions, references, strict=True)]
        n = max(len(triples), 1)
        out: dict = {
            "precision": sum(t[0] for t in triples) / n,
            "recall": sum(t[1] for t in triples) / n,
            "f1": sum(t[2] for t in triples) / n,
        }
        if per_example:
            out["precisions"] = [t[0] for t in triples]
            out["recalls"] = [t[1] for t in triples]
            out["f1s"] = [t[2] for t in triples]
        return out
