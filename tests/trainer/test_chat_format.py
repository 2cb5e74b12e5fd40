"""Assistant-only masking: template markers, the default template, and the prefix-diff fallback agree."""

from __future__ import annotations

import pytest
from transformers import AutoTokenizer

from vibeflow_trainer.assets_paths import DEMO_TOKENIZER_DIR
from vibeflow_trainer.chat_format import IGNORE_INDEX, prepare_chat_template, tokenize_prefix_masked
from vibeflow_trainer.templates import DEFAULT_CHAT_TEMPLATE, DEMO_CHAT_TEMPLATE

CHAT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Where is order #12345?"},
    {"role": "assistant", "content": "It arrives in 3 days."},
    {"role": "user", "content": "Thanks"},
    {"role": "assistant", "content": "You are welcome."},
]


@pytest.fixture
def tokenizer():
    return AutoTokenizer.from_pretrained(str(DEMO_TOKENIZER_DIR))


def _learned(tokenizer, ids: list[int], mask: list[int]) -> str:
    return tokenizer.decode([i for i, m in zip(ids, mask, strict=True) if m])


def test_demo_template_uses_trl_assistant_only_loss(tokenizer) -> None:
    setup = prepare_chat_template(tokenizer)
    assert (setup.mode, setup.assistant_only_loss, setup.pretokenize) == ("template_markers", True, False)


def test_model_without_template_gets_the_default_with_eos(tokenizer) -> None:
    tokenizer.chat_template = None
    setup = prepare_chat_template(tokenizer)
    assert setup.mode == "default_template" and tokenizer.chat_template == DEFAULT_CHAT_TEMPLATE
    out = tokenizer.apply_chat_template(
        CHAT, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    learned = _learned(tokenizer, out["input_ids"], out["assistant_masks"])
    assert (
        learned == "It arrives in 3 days.<|im_end|>You are welcome.<|im_end|>"
    )  # eos_token closes each turn


def test_unknown_template_without_markers_falls_back_to_prefix_masking(tokenizer) -> None:
    tokenizer.chat_template = DEMO_CHAT_TEMPLATE.replace("{%- generation -%}", "").replace(
        "{%- endgeneration -%}", ""
    )
    setup = prepare_chat_template(tokenizer)
    assert (setup.mode, setup.assistant_only_loss, setup.pretokenize) == ("prefix_masking", False, True)
    row = tokenize_prefix_masked(tokenizer, CHAT)
    mask = [label != IGNORE_INDEX for label in row["labels"]]
    assert (
        _learned(tokenizer, row["input_ids"], mask)
        == "It arrives in 3 days.<|im_end|>\nYou are welcome.<|im_end|>\n"
    )
    # Same tokens as the marker-based mask, apart from the newline after each end-of-turn.
    reference = AutoTokenizer.from_pretrained(str(DEMO_TOKENIZER_DIR)).apply_chat_template(
        CHAT, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    assert row["input_ids"] == list(reference["input_ids"])
    marked = {i for i, m in enumerate(reference["assistant_masks"]) if m}
    ours = {i for i, m in enumerate(mask) if m}
    assert marked <= ours and all(tokenizer.decode([row["input_ids"][i]]) == "\n" for i in ours - marked)


def test_prefix_masking_appends_eos_when_the_template_has_none(tokenizer) -> None:
    tokenizer.chat_template = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    row = tokenize_prefix_masked(tokenizer, CHAT[1:3])
    assert row["input_ids"][-1] == tokenizer.eos_token_id and row["labels"][-1] == tokenizer.eos_token_id
    assert row["labels"][0] == IGNORE_INDEX
