"""Length checks in tokens of the chosen model: too short, too long, over the context window, input/output imbalance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vibeflow.data.quality import thresholds as t
from vibeflow.data.quality.columns import TextColumns
from vibeflow.data.tokens import TokenCounter, count_tokens


@dataclass
class LengthAnalysis:
    input_tokens: np.ndarray
    output_tokens: np.ndarray
    total_tokens: np.ndarray  # input + output + chat-template overhead
    too_short: np.ndarray
    too_long: np.ndarray
    over_context: np.ndarray
    input_heavy: np.ndarray  # input > 10x output: few supervised tokens per example, or swapped columns
    output_heavy: np.ndarray  # output > 10x input: long answers to terse prompts (often fine)


def analyse_lengths(
    cols: TextColumns, counter: TokenCounter, context_length: int, missing: np.ndarray
) -> LengthAnalysis:
    inputs = count_tokens(counter, cols.input)
    outputs = count_tokens(counter, cols.output)
    overhead = t.TEMPLATE_BASE_TOKENS + t.TEMPLATE_TOKENS_PER_MESSAGE * np.maximum(cols.n_messages, 2)
    total = inputs + outputs + overhead
    present = ~missing
    longer = np.maximum(inputs, outputs)
    big_enough = present & (longer >= t.IMBALANCE_MIN_TOKENS)
    return LengthAnalysis(
        input_tokens=inputs,
        output_tokens=outputs,
        total_tokens=total,
        too_short=present & (inputs < t.SHORT_INPUT_TOKENS),
        too_long=present & (outputs > t.LONG_OUTPUT_TOKENS),
        over_context=total > context_length,
        input_heavy=big_enough & (inputs > t.IMBALANCE_RATIO * np.maximum(outputs, 1)),
        output_heavy=big_enough & (outputs > t.IMBALANCE_RATIO * np.maximum(inputs, 1)),
    )


def summary(values: np.ndarray) -> dict[str, float]:
    """mean / p50 / p95 / max of a token-count array (zeros when empty)."""
    if len(values) == 0:
        return {"mean": 0.0, "p50": 0.0, "p95": 0.0, "max": 0.0}
    p50, p95 = np.percentile(values, [50, 95])
    return {
        "mean": round(float(values.mean()), 1),
        "p50": float(p50),
        "p95": float(p95),
        "max": float(values.max()),
    }
