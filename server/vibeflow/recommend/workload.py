"""How much work a configuration is: optimizer steps, micro-batches and the tokens the trainer computes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vibeflow.recommend.catalog import ModelSpec

# Tokens the chat template adds per example (role headers, end-of-turn markers): ChatML-like templates add
# about 5 per turn, and an example is a user turn plus an assistant turn.
TEMPLATE_TOKENS = 10
# Expected maximum of b standard normal draws: batches are padded to their longest example.
_MAX_Z = {
    1: 0.0,
    2: 0.56,
    3: 0.85,
    4: 1.03,
    6: 1.27,
    8: 1.42,
    12: 1.63,
    16: 1.77,
    24: 1.95,
    32: 2.07,
    64: 2.33,
    128: 2.58,
}
# Families whose transformers attention is eager only (Gemma 2: sdpa cannot soft-cap logits): the trainer pads.
PADDED_FAMILIES = frozenset({"gemma2"})
DEFAULT_LENGTH_CV = 0.5  # std / mean of example lengths when the data report does not give it


def expected_max_z(batch: int) -> float:
    if batch in _MAX_Z:
        return _MAX_Z[batch]
    return math.sqrt(2 * math.log(max(batch, 1))) if batch > 1 else 0.0


def _phi(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def mean_truncated(mu: float, sigma: float, cap: float) -> float:
    """E[min(X, cap)] for X ~ Normal(mu, sigma): the mean length after truncation at max_seq_length."""
    if sigma <= 0:
        return min(mu, cap)
    z = (cap - mu) / sigma
    tail = 0.5 * math.erfc(z / math.sqrt(2))  # P(X > cap)
    return mu - sigma * (_phi(z) - z * tail)


def computed_length(model: ModelSpec, per_example: float, padded: float) -> float:
    """Mean tokens the trainer computes per example: the example's own when it collates padding-free (every
    family with sdpa or flash attention, each example attending only to itself: vibeflow_trainer.batching),
    else the padded row's."""
    return max(padded, per_example) if model.family in PADDED_FAMILIES else per_example


@dataclass(frozen=True)
class WorkPlan:
    n_examples: int
    tokens_per_example: float  # mean, after truncation
    padded_length: float  # tokens computed per example: its padded row, or itself when collated padding-free
    steps: int
    micro_steps: int
    epochs: float
    tokens_total: float
    padded_tokens_total: float
    truncated: bool


def plan(
    model: ModelSpec,
    *,
    n_examples: int,
    avg_tokens_in: float,
    avg_tokens_out: float,
    max_seq_length: int,
    batch_size: int,
    gradient_accumulation: int,
    num_epochs: float | None,
    max_steps: int | None,
    length_cv: float = DEFAULT_LENGTH_CV,
) -> WorkPlan:
    """Steps as the HF Trainer counts them: ceil(ceil(n / batch) / accumulation) per epoch."""
    raw = avg_tokens_in + avg_tokens_out + TEMPLATE_TOKENS
    seq_cap = min(max_seq_length, model.context_length)
    sigma = raw * length_cv
    per_example = mean_truncated(raw, sigma, seq_cap)
    # A padded micro-batch row is as long as the batch's longest example (mean + sigma x E[max of b normals],
    # whose spread shrinks as ~1 / (1 + 0.3 ln b)), also truncated.
    longest = raw + sigma * expected_max_z(batch_size)
    padded = mean_truncated(longest, sigma / (1 + 0.3 * math.log(batch_size)), seq_cap)
    computed = computed_length(model, per_example, padded)
    batches_per_epoch = math.ceil(n_examples / batch_size)
    steps_per_epoch = max(1, math.ceil(batches_per_epoch / gradient_accumulation))
    steps = max_steps or max(1, math.ceil((num_epochs or 1.0) * steps_per_epoch))
    micro = steps * gradient_accumulation
    examples_seen = micro * batch_size
    if not max_steps:
        examples_seen = min(examples_seen, math.ceil((num_epochs or 1.0) * n_examples))
    epochs = examples_seen / n_examples
    return WorkPlan(
        n_examples=n_examples,
        tokens_per_example=per_example,
        padded_length=computed,
        steps=steps,
        micro_steps=micro,
        epochs=round(epochs, 3),
        tokens_total=examples_seen * per_example,
        padded_tokens_total=examples_seen * computed,
        truncated=raw > seq_cap,
    )
