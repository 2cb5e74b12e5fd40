"""Input checks shared by recommend and estimate: impossible values become typed errors that say the fix."""

from __future__ import annotations

import math

from vibeflow.recommend.errors import InvalidRequestError

MAX_EXAMPLES = 100_000_000
MAX_TOKENS = 1_000_000


def check_examples(n: int, *, bounded_by_steps: bool = False) -> None:
    if not isinstance(n, int) or isinstance(n, bool):
        raise InvalidRequestError(
            f"the number of examples must be a whole number (got {n!r})", fix="pass a count such as 1000"
        )
    if n < 1:
        raise InvalidRequestError(
            f"{n} training examples: there is nothing to train on",
            fix="add training examples first — at least ~50, 100–10,000 is the usual range for fine-tuning",
            details={"n_examples": n},
        )
    if n > MAX_EXAMPLES and not bounded_by_steps:
        raise InvalidRequestError(
            f"{n:,} examples is far beyond what one fine-tuning run should process",
            fix="sample a subset (100K–1M examples is plenty for supervised fine-tuning), or set max_steps to "
            "bound the run",
            details={"n_examples": n, "max_supported": MAX_EXAMPLES},
        )


def check_tokens(avg_in: float, avg_out: float) -> None:
    for name, value in (("avg_tokens_in", avg_in), ("avg_tokens_out", avg_out)):
        if value is None or not math.isfinite(value) or value < 0:
            raise InvalidRequestError(
                f"{name} must be a number >= 0 (got {value!r})",
                fix="give the mean token length of prompts and responses, e.g. 150",
            )
        if value > MAX_TOKENS:
            raise InvalidRequestError(
                f"{name}={value:,.0f} tokens per example is longer than any model's context",
                fix="check the unit (tokens, not characters) or split long documents",
            )
    if avg_in + avg_out <= 0:
        raise InvalidRequestError(
            "examples of 0 tokens: nothing to learn from",
            fix="give the mean token length of prompts and responses, e.g. 150 and 150",
        )


def check_task(task: str | None) -> str:
    text = " ".join((task or "").split())
    if not text:
        raise InvalidRequestError(
            "no task described",
            fix="say in a few words what the model should do, e.g. --task "
            "'customer support replies' or 'extract invoice fields as JSON'",
        )
    if len(text) > 2000:
        text = text[:2000]
    return text


def check_budget_value(budget: float | None) -> None:
    if budget is None:
        return
    if not math.isfinite(budget) or budget < 0:
        raise InvalidRequestError(
            f"budget must be a positive amount in USD (got {budget!r})",
            fix="pass --budget 20 for $20, or leave it out for no limit",
        )
    if budget == 0:
        raise InvalidRequestError(
            "a budget of $0 cannot pay for any cloud GPU time",
            fix="train locally for free with --gpu cpu (small models only) or on your own GPU, or allow a "
            "budget (the cheapest cloud run for small data is usually under $1)",
        )
