"""The work plan counts the tokens the trainer computes: no padding, except for the families it still pads."""

from __future__ import annotations

from vibeflow.recommend.catalog import find_model
from vibeflow.recommend.workload import PADDED_FAMILIES, WorkPlan, plan


def _plan(model: str, batch: int, tokens_in: float = 120, tokens_out: float = 60) -> WorkPlan:
    return plan(
        find_model(model),
        n_examples=400,
        avg_tokens_in=tokens_in,
        avg_tokens_out=tokens_out,
        max_seq_length=1024,
        batch_size=batch,
        gradient_accumulation=1,
        num_epochs=1.0,
        max_steps=None,
    )


def test_padding_free_batches_are_counted_without_padding() -> None:
    for model in ("smollm2-135m-instruct", "qwen2.5-7b", "llama-3.1-8b"):
        for batch in (4, 16):
            work = _plan(model, batch)
            assert work.padded_length == work.tokens_per_example
            assert work.padded_tokens_total == work.tokens_total


def test_families_on_eager_attention_are_still_padded() -> None:
    assert find_model("gemma-2-2b").family in PADDED_FAMILIES
    work = _plan("gemma-2-2b", 8)
    assert work.padded_length > work.tokens_per_example * 1.2  # length CV 0.5: the longest of 8 is far longer
    assert work.padded_tokens_total > work.tokens_total
    assert _plan("gemma-2-2b", 1).padded_length == _plan("gemma-2-2b", 1).tokens_per_example
