"""BLEU: corpus n-gram precision (up to 4-grams) with brevity penalty, plus smoothed sentence BLEU (an evaluate module)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

import datasets
import evaluate

_DESCRIPTION = (
    "Corpus BLEU (Papineni et al. 2002) over lower-cased words with punctuation as separate tokens: geometric "
    "mean of modified 1..4-gram precisions times the brevity penalty, 0..1. With smooth=True (default) every "
    "n-gram count gets +1 (Lin & Och 2004), so short answers do not collapse to 0. Per-example scores are "
    "sentence BLEU with the same settings."
)
_INPUTS = (
    "predictions: list of str; references: list of str; max_order: int = 4; smooth: bool = True; per_example"
)
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text or "").lower())


def _ngrams(seq: list[str], n: int) -> Counter:
    return Counter(tuple(seq[i : i + n]) for i in range(len(seq) - n + 1))


def bleu_from_counts(
    matches: list[int], possible: list[int], pred_len: int, ref_len: int, smooth: bool
) -> float:
    precisions = []
    for match, total in zip(matches, possible, strict=True):
        if smooth:
            precisions.append((match + 1.0) / (total + 1.0))
        else:
            precisions.append(match / total if total > 0 else 0.0)
    if pred_len == 0 or min(precisions) <= 0:
        return 0.0
    geo = math.exp(sum(math.log(p) for p in precisions) / len(precisions))
    bp = 1.0 if pred_len > ref_len else math.exp(1 - ref_len / pred_len)
    return geo * bp


def counts(pred: list[str], ref: list[str], max_order: int) -> tuple[list[int], list[int]]:
    matches, possible = [], []
    for n in range(1, max_order + 1):
        p_grams, r_grams = _ngrams(pred, n), _ngrams(ref, n)
        matches.append(sum((p_grams & r_grams).values()))
        possible.append(max(len(pred) - n + 1, 0))
    return matches, possible


class Bleu(evaluate.Metric):
    """BLEU with optional add-one smoothing."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="Papineni et al. 2002, BLEU: a Method for Automatic Evaluation of Machine Translation",
            inputs_description=_INPUTS,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def _compute(
        self,
        predictions: list[str],
        references: list[str],
        max_order: int = 4,
        smooth: bool = True,
        per_example: bool = False,
    ) -> dict:
        total_m, total_p = [0] * max_order, [0] * max_order
        pred_len = ref_len = 0
        sentence = []
        for prediction, reference in zip(predictions, references, strict=True):
            pred, ref = tokens(prediction), tokens(reference)
            matches, possible = counts(pred, ref, max_order)
            total_m = [a + b for a, b in zip(total_m, matches, strict=True)]
            total_p = [a + b for a, b in zip(total_p, possible, strict=True)]
            pred_len, ref_len = pred_len + len(pred), ref_len + len(ref)
            if per_example:
                sentence.append(bleu_from_counts(matches, possible, len(pred), len(ref), smooth))
        out: dict = {
            "bleu": bleu_from_counts(total_m, total_p, pred_len, ref_len, smooth),
            "brevity_penalty": 1.0
            if pred_len > ref_len or pred_len == 0
            else math.exp(1 - ref_len / pred_len),
            "length_ratio": pred_len / ref_len if ref_len else 0.0,
        }
        if per_example:
            out["scores"] = sentence
        return out
