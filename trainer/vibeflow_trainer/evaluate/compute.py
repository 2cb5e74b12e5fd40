"""Batched inference primitives: greedy generation, reference log-likelihood, mean-pooled embeddings, choice scoring.

Every function takes a ready model and the tokenizer, works in batches sorted by length (less padding) and
returns results in input order. `progress(done, total)` is called after each batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Progress = Callable[[int, int], None]


def _noop(_done: int, _total: int) -> None:
    return None


def chat_ids(tokenizer: Any, messages: list[dict[str, str]], add_generation_prompt: bool) -> list[int]:
    out = tokenizer.apply_chat_template(
        messages, tokenize=True, add_generation_prompt=add_generation_prompt, return_dict=True
    )
    return list(out["input_ids"])


def split_example(messages: list[dict[str, str]]) -> tuple[list[dict[str, str]], str]:
    """Prompt turns (everything before the last assistant turn) and the reference (that turn's text)."""
    last = max(i for i, turn in enumerate(messages) if turn["role"] == "assistant")
    return messages[:last], messages[last]["content"]


def prompt_ids(tokenizer: Any, prompt: list[dict[str, str]], max_tokens: int) -> tuple[list[int], bool]:
    """Token ids of the prompt with the assistant header, rendered with the training template; keeps the end."""
    ids = chat_ids(tokenizer, prompt, add_generation_prompt=True)
    if len(ids) > max_tokens:
        return ids[-max_tokens:], True
    return ids, False


def reference_ids(
    tokenizer: Any, prompt: list[dict[str, str]], reference: str, prompt_tokens: list[int]
) -> list[int]:
    """The tokens the model should produce after the prompt: the reference turn up to and including EOS."""
    full = chat_ids(
        tokenizer, [*prompt, {"role": "assistant", "content": reference}], add_generation_prompt=False
    )
    start = chat_ids(tokenizer, prompt, add_generation_prompt=True)
    if full[: len(start)] == start:
        target = full[len(start) :]
    else:  # a template that renders the last turn differently: fall back to plain text + EOS
        target = tokenizer(reference, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    eos = tokenizer.eos_token_id
    if eos in target:
        target = target[: target.index(eos) + 1]
    return target


def _order(lengths: Sequence[int]) -> list[int]:
    return sorted(range(len(lengths)), key=lambda i: -lengths[i])


@dataclass
class Generated:
    text: str
    tokens: int
    stop: str  # "eos" | "length"


def generate(
    model: Any,
    tokenizer: Any,
    prompts: list[list[int]],
    *,
    max_new_tokens: int,
    batch_size: int,
    temperature: float,
    device: Any,
    progress: Progress = _noop,
) -> list[Generated]:
    """Left-padded batched generation; greedy unless temperature > 0; stops at the tokenizer's EOS."""
    import torch

    eos_ids = {tokenizer.eos_token_id}
    config_eos = getattr(model.generation_config, "eos_token_id", None)
    if isinstance(config_eos, int):
        eos_ids.add(config_eos)
    elif isinstance(config_eos, list):
        eos_ids.update(config_eos)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    out: list[Generated | None] = [None] * len(prompts)
    order = _order([len(p) for p in prompts])
    done = 0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        width = max(len(prompts[i]) for i in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, index in enumerate(batch):
            seq = prompts[index]
            ids[row, width - len(seq) :] = torch.tensor(seq)
            mask[row, width - len(seq) :] = 1
        kwargs: dict[str, Any] = {"do_sample": temperature > 0}
        if temperature > 0:
            kwargs["temperature"] = temperature
        else:
            kwargs.update(temperature=None, top_p=None, top_k=None)
        generated = model.generate(
            input_ids=ids.to(device),
            attention_mask=mask.to(device),
            max_new_tokens=max_new_tokens,
            eos_token_id=sorted(eos_ids),
            pad_token_id=pad,
            **kwargs,
        )
        for row, index in enumerate(batch):
            new = generated[row, width:].tolist()
            stop = "length"
            for position, token in enumerate(new):
                if token in eos_ids:
                    new, stop = new[:position], "eos"
                    break
            text = tokenizer.decode(new, skip_special_tokens=True).strip()
            out[index] = Generated(text=text, tokens=len(new), stop=stop)
        done += len(batch)
        progress(done, len(prompts))
    return [g for g in out if g is not None]


def sequence_logprobs(
    model: Any,
    pairs: list[tuple[list[int], list[int]]],
    *,
    batch_size: int,
    device: Any,
    progress: Progress = _noop,
) -> list[tuple[float, int]]:
    """For each (context, target): (sum of log p(target tokens | context), number of target tokens)."""
    import torch

    results: list[tuple[float, int] | None] = [None] * len(pairs)
    order = _order([len(c) + len(t) for c, t in pairs])
    done = 0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        width = max(len(pairs[i][0]) + len(pairs[i][1]) for i in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, index in enumerate(batch):
            seq = pairs[index][0] + pairs[index][1]
            ids[row, : len(seq)] = torch.tensor(seq)
            mask[row, : len(seq)] = 1
        logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1)
        for row, index in enumerate(batch):
            context, target = pairs[index]
            if not target:
                results[index] = (0.0, 0)
                continue
            positions = torch.arange(len(context) - 1, len(context) + len(target) - 1, device=logprobs.device)
            tokens = torch.tensor(target, device=logprobs.device)
            total = logprobs[row, positions, tokens].sum().item()
            results[index] = (float(total), len(target))
        done += len(batch)
        progress(done, len(pairs))
    return [r for r in results if r is not None]


def embed(
    model: Any,
    tokenizer: Any,
    texts: list[str],
    *,
    batch_size: int,
    device: Any,
    max_tokens: int = 512,
    add_special_tokens: bool = False,
    progress: Progress = _noop,
) -> Any:
    """L2-normalised mean of the last hidden layer over each text's tokens (a zero vector for an empty text).

    A sentence-embedding model (add_special_tokens=True) is pooled over its [CLS]/[SEP] too, as
    sentence-transformers does; a causal LM used as a stand-in is pooled over the text's own tokens.
    """
    import numpy as np
    import torch

    def encode(text: str) -> list[int]:
        if not text:
            return []
        if add_special_tokens:
            return list(tokenizer(text, truncation=True, max_length=max_tokens)["input_ids"])
        return list(tokenizer(text, add_special_tokens=False)["input_ids"][:max_tokens])

    encoded = [encode(text) for text in texts]
    vectors: list[Any] = [None] * len(texts)
    order = _order([len(e) for e in encoded])
    done = 0
    for start in range(0, len(order), batch_size):
        batch = [i for i in order[start : start + batch_size]]
        width = max(1, max(len(encoded[i]) for i in batch))
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, index in enumerate(batch):
            seq = encoded[index]
            if seq:
                ids[row, : len(seq)] = torch.tensor(seq)
                mask[row, : len(seq)] = 1
        outputs = model(input_ids=ids.to(device), attention_mask=mask.to(device), output_hidden_states=True)
        hidden = outputs.hidden_states[-1] if outputs.hidden_states is not None else outputs.last_hidden_state
        weights = mask.to(hidden.device).unsqueeze(-1).to(hidden.dtype)
        summed = (hidden * weights).sum(dim=1).float()
        counts = weights.sum(dim=1).float().clamp(min=1.0)
        mean = summed / counts
        norms = mean.norm(dim=-1, keepdim=True).clamp(min=1e-12)
        normalised = (mean / norms).cpu().numpy()
        for row, index in enumerate(batch):
            vectors[index] = normalised[row] if encoded[index] else np.zeros_like(normalised[row])
        done += len(batch)
        progress(done, len(texts))
    return np.stack(vectors).astype("float32") if vectors else np.zeros((0, 1), dtype="float32")
