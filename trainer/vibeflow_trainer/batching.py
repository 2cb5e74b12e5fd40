"""Computes only the tokens that count: padding-free micro-batches, and the LM head scored only at labels.

Padding-free: trl's collator with `padding_free=True` concatenates a micro-batch's examples into one row
whose `position_ids` restart at 0 for every example, masks each example's first label and passes the
example boundaries (`cu_seq_lens_q`). Plain sdpa would attend over that row through one dense T x T
block-diagonal mask (transformers' masking_utils builds it from the restarting positions): exact, but the
attention then costs (sum of lengths)² instead of longest² per example, which on CPU ate over half of the
saving. So the model's sdpa attention is swapped for `varlen_sdpa`, which runs causal sdpa per example from
those boundaries; flash attention is varlen already. Models on other attention (eager, e.g. Gemma 2's
soft-capping) stay padded. Before training, `packs_correctly` checks on the real model and collator that a
flattened example gets the logits it gets alone. Batch size, steps and example order are unchanged (this is
not packing), and loss, gradients, assistant-only labels and eval_loss equal the padded batch's to float
precision (tests/trainer/test_batching.py). The estimator counts the same (server/vibeflow/recommend/
workload.py, `computed_length`).

LM head at labels only: trl's fused LM head scores only positions with a label on Triton devices, but every
position elsewhere (so that Neuron compiles one tile shape); on CPU, eager, that is pure waste (prompt and
pad tokens are half of a chat batch or more), so `labels_only_lm_head` turns compaction on for CPU while
training.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

VARLEN = "vibeflow_sdpa_varlen"
VARLEN_READY = ("flash_attention_2", "flash_attention_3", VARLEN)
PROBE_TOKENS = 8
PROBE_TOLERANCE = 1e-2  # of the largest logit: far below what attending across examples changes


def varlen_sdpa(
    module: Any, query: Any, key: Any, value: Any, attention_mask: Any, **kwargs: Any
) -> tuple[Any, None]:
    """sdpa per example of a padding-free row (causal within each), plain sdpa with the mask otherwise."""
    import torch
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    bounds = kwargs.pop("cu_seq_lens_q", None)
    if bounds is None or query.shape[0] != 1:
        return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
    cuts = bounds.tolist()
    parts = [
        sdpa_attention_forward(module, query[:, :, a:b], key[:, :, a:b], value[:, :, a:b], None, **kwargs)[0]
        for a, b in zip(cuts, cuts[1:], strict=False)
    ]
    return torch.cat(parts, dim=1), None


def _mask_unless_padding_free(*args: Any, attention_mask: Any = None, **kwargs: Any) -> Any:
    """sdpa's mask for padded batches; none for a padding-free row (no T x T mask: varlen_sdpa needs none)."""
    from transformers.masking_utils import sdpa_mask

    return None if attention_mask is None else sdpa_mask(*args, attention_mask=attention_mask, **kwargs)


def _register_varlen() -> None:
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    AttentionInterface.register(VARLEN, varlen_sdpa)
    AttentionMaskInterface.register(VARLEN, _mask_unless_padding_free)


def packs_correctly(model: Any, flat_collator: Any) -> bool:
    """Whether an example flattened after another (by `flat_collator`) gets the logits it gets alone, measured
    on this model: an attention that ignored the boundaries would silently attend across examples."""
    import torch

    device = next(model.parameters()).device
    vocab = model.config.get_text_config().vocab_size
    ids = [(i * 7 + 3) % vocab for i in range(2 * PROBE_TOKENS)]
    first, second = ids[:PROBE_TOKENS], ids[PROBE_TOKENS:]
    batch = flat_collator([{"input_ids": first, "labels": first}, {"input_ids": second, "labels": second}])
    inputs = {k: v.to(device) if torch.is_tensor(v) else v for k, v in batch.items() if k != "labels"}
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            alone = model(input_ids=torch.tensor([second], device=device)).logits[0].float()
            flat = model(**inputs).logits[0, PROBE_TOKENS:].float()
    except Exception:  # noqa: BLE001 - a model that cannot take a padding-free row is simply padded
        return False
    finally:
        model.train(was_training)
    return bool((alone - flat).abs().max() <= PROBE_TOLERANCE * alone.abs().max().clamp(min=1.0))


def use_padding_free(trainer: Any, model: Any) -> str:
    """Collate the SFTTrainer's batches padding-free where the model's attention computes them per example.

    trl refuses `SFTConfig(padding_free=True)` with `max_length` unless it also packs (which would change
    how many examples make a step), although it truncates to `max_length` when it prepares the dataset; so
    the config stays padded and the collator is switched after trl has tokenized and truncated. Returns the
    batching mode for the run's events: "padding_free" or "padded"."""
    collator = trainer.data_collator
    implementation = model.config._attn_implementation
    window = getattr(model.config.get_text_config(), "sliding_window", None)
    if not hasattr(collator, "padding_free") or implementation not in ("sdpa", *VARLEN_READY):
        return "padded"
    if implementation == "sdpa" and window and (trainer.args.max_length or window + 1) > window:
        return "padded"  # per-example causal sdpa has no sliding window: exact only within the window
    if implementation == "sdpa":
        try:
            _register_varlen()
            model.set_attn_implementation(VARLEN)
        except Exception:  # noqa: BLE001 - a model class that refuses it keeps sdpa and padded batches
            return "padded"
    flat = dataclasses.replace(collator, padding_free=True)
    if not packs_correctly(model, flat):
        if implementation == "sdpa":
            model.set_attn_implementation("sdpa")
        return "padded"
    trainer.data_collator = flat
    return "padding_free"


@contextlib.contextmanager
def labels_only_lm_head() -> Iterator[None]:
    """While training: trl's fused LM head scores only labelled positions on CPU too (see the module doc).

    Without trl's `_use_triton` switch (another trl version) this does nothing: only the speed-up is lost."""
    from trl.trainer import utils

    original = getattr(utils, "_use_triton", None)
    if original is None:
        yield
        return
    utils._use_triton = lambda device: device.type == "cpu" or original(device)
    try:
        yield
    finally:
        utils._use_triton = original
