"""The shipped demo tokenizer: loadable by `tokenizers` alone, small, with a chat template and special tokens."""

from __future__ import annotations

import json

from tokenizers import Tokenizer

from vibeflow_trainer.assets_paths import DEMO_TOKENIZER_CONFIG, DEMO_TOKENIZER_DIR, DEMO_TOKENIZER_JSON


def test_tokenizer_json_loads_with_tokenizers_only() -> None:
    tokenizer = Tokenizer.from_file(str(DEMO_TOKENIZER_JSON))
    encoding = tokenizer.encode("Where is my order #12345? It should arrive in Berlin in 3 days.")
    assert 5 < len(encoding.ids) < 40
    assert tokenizer.decode(encoding.ids) == "Where is my order #12345? It should arrive in Berlin in 3 days."
    for special in ("<|endoftext|>", "<|im_start|>", "<|im_end|>"):
        assert tokenizer.token_to_id(special) is not None
    assert 2000 <= tokenizer.get_vocab_size() <= 4100


def test_assets_are_small_and_carry_a_generation_marked_template() -> None:
    size = sum(p.stat().st_size for p in DEMO_TOKENIZER_DIR.iterdir())
    assert size < 1_000_000
    config = json.loads(DEMO_TOKENIZER_CONFIG.read_text(encoding="utf-8"))
    assert config["eos_token"] == "<|im_end|>"
    assert "{%- generation -%}" in config["chat_template"]


def test_transformers_renders_multi_turn_with_assistant_masks() -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(DEMO_TOKENIZER_DIR))
    chat = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Bye"},
        {"role": "assistant", "content": "Goodbye."},
    ]
    out = tokenizer.apply_chat_template(
        chat, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    learned = [i for i, m in zip(out["input_ids"], out["assistant_masks"], strict=True) if m]
    assert tokenizer.decode(learned) == "Hello!<|im_end|>Goodbye.<|im_end|>"
