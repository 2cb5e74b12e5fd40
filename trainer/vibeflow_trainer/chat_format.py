"""Decides how conversations become tokens with loss on assistant turns only, for any chat template.

Preferred: trl's `assistant_only_loss=True`, which needs `{% generation %}` markers in the template; we use the
model's template when it has them, trl's patched training template for the model families trl knows, or our
default template when the model has none. Otherwise (an unknown template without markers) we tokenize here:
each assistant turn is located by rendering the conversation up to it with and without the turn (prefix
diff), so every assistant turn of a multi-turn chat is learned, and an EOS is appended when the template does
not end the conversation with one, so the tuned model learns to stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vibeflow_trainer.data import Conversation
from vibeflow_trainer.errors import DatasetFormatError, InvalidSpecError
from vibeflow_trainer.templates import DEFAULT_CHAT_TEMPLATE

IGNORE_INDEX = -100


@dataclass(frozen=True)
class ChatSetup:
    """How the trainer feeds conversations to SFTTrainer."""

    mode: str  # "template_markers" | "trl_training_template" | "default_template" | "prefix_masking"
    assistant_only_loss: bool  # passed to SFTConfig
    pretokenize: bool  # True: we build input_ids/labels ourselves


def prepare_chat_template(tokenizer: Any) -> ChatSetup:
    """Make sure the tokenizer can render chats and pick the masking strategy (may set a default template)."""
    from trl.chat_template_utils import get_training_chat_template, has_generation_markers

    if tokenizer.eos_token is None:
        raise InvalidSpecError(
            "the base model's tokenizer has no eos_token, so the tuned model could not learn to stop",
            "pick a base model whose tokenizer defines an eos_token",
        )
    if not tokenizer.chat_template:
        tokenizer.chat_template = DEFAULT_CHAT_TEMPLATE
        return ChatSetup("default_template", assistant_only_loss=True, pretokenize=False)
    if has_generation_markers(tokenizer.chat_template):
        return ChatSetup("template_markers", assistant_only_loss=True, pretokenize=False)
    try:
        patched = get_training_chat_template(tokenizer)
    except ValueError:
        patched = None
    if patched is not None:
        return ChatSetup("trl_training_template", assistant_only_loss=True, pretokenize=False)
    return ChatSetup("prefix_masking", assistant_only_loss=False, pretokenize=True)


def _ids(tokenizer: Any, messages: Conversation, add_generation_prompt: bool = False) -> list[int]:
    out = tokenizer.apply_chat_template(
        messages, tokenize=True, add_generation_prompt=add_generation_prompt, return_dict=True
    )
    return list(out["input_ids"])


def tokenize_prefix_masked(tokenizer: Any, conversation: Conversation) -> dict[str, list[int]]:
    """input_ids and labels for one chat: labels keep assistant-turn tokens (and the final EOS), -100 elsewhere."""
    input_ids = _ids(tokenizer, conversation)
    labels = [IGNORE_INDEX] * len(input_ids)
    for index, turn in enumerate(conversation):
        if turn["role"] != "assistant":
            continue
        start = len(_ids(tokenizer, conversation[:index], add_generation_prompt=True)) if index else 0
        end = len(_ids(tokenizer, conversation[: index + 1]))
        end = min(end, len(input_ids))
        labels[start:end] = input_ids[start:end]
    eos = tokenizer.eos_token_id
    if conversation[-1]["role"] == "assistant" and eos not in input_ids[-3:]:
        input_ids.append(eos)
        labels.append(eos)
    if all(label == IGNORE_INDEX for label in labels):
        raise DatasetFormatError(
            "the chat template dropped every assistant turn, so there is nothing to learn",
            "use a base model with a standard chat template, or set one in its tokenizer_config.json",
        )
    return {"input_ids": input_ids, "labels": labels}


def build_dataset(conversations: list[Conversation], tokenizer: Any, setup: ChatSetup) -> Any:
    """A datasets.Dataset in the shape SFTTrainer expects for the chosen setup."""
    from datasets import Dataset

    if not setup.pretokenize:
        return Dataset.from_dict({"messages": conversations})
    rows = [tokenize_prefix_masked(tokenizer, conv) for conv in conversations]
    return Dataset.from_dict(
        {"input_ids": [r["input_ids"] for r in rows], "labels": [r["labels"] for r in rows]}
    )
