"""Semantic similarity: cosine between prediction and reference embedding vectors (an evaluate module).

The vectors come from an embedding model run elsewhere (the evaluation subprocess: mean-pooled hidden states
of the base model by default, or a local embedding model), so this module needs no model itself.
"""

from __future__ import annotations

import math

import datasets
import evaluate

_DESCRIPTION = (
    "Mean cosine similarity between each prediction's and its reference's embedding vector (-1..1; "
    "a zero vector, i.e. an empty text, scores 0)."
)
_INPUTS = (
    "predictions: list of float vectors; references: list of float vectors (same size); per_example: bool"
)


def cosine(a: list[float], b: list[float]) -> float:
    if len(a) != len(b):
        raise ValueError(f"embedding sizes differ: {len(a)} vs {len(b)}")
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm > 0 else 0.0


class SemanticSimilarity(evaluate.Metric):
    """Cosine similarity of embeddings."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("float32")),
                    "references": datasets.Sequence(datasets.Value("float32")),
                }
            ),
        )

    def _compute(self, predictions: list, references: list, per_example: bool = False) -> dict:
        scores = [cosine(list(p), list(r)) for p, r in zip(predictions, references, strict=True)]
        out: dict = {"similarity": sum(scores) / len(scores) if scores else 0.0}
        if per_example:
            out["scores"] = scores
        return out
