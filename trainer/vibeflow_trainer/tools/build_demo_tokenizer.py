"""Rebuilds the shipped demo tokenizer (byte-level BPE, ~4k vocab) deterministically from English text.

Run from the repository root:  python -m vibeflow_trainer.tools.build_demo_tokenizer
Inputs, in order: the synthetic support chats of `vibeflow_trainer.demo_data`, then every text-like file under
`examples/` (CSV/TSV/JSON/JSONL/TXT/MD, sorted by path) when that folder exists. The sha256 of each input is
recorded in `build_info.json` next to the tokenizer, so a rebuild from the same inputs is byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from vibeflow_trainer.assets_paths import DEMO_TOKENIZER_DIR
from vibeflow_trainer.demo_data import make_conversations
from vibeflow_trainer.templates import DEMO_CHAT_TEMPLATE

VOCAB_SIZE = 4000
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
TEXT_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".txt", ".md")
MAX_FILE_BYTES = 8 * 1024 * 1024
REPO = Path(__file__).resolve().parents[3]


def _synthetic_lines() -> list[str]:
    lines = []
    for conv in make_conversations(4000, seed=1234, multi_turn_ratio=0.3):
        lines.extend(turn["content"] for turn in conv)
    return lines


def _example_files(examples: Path) -> list[Path]:
    if not examples.is_dir():
        return []
    files = [p for p in sorted(examples.rglob("*")) if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES]
    return [p for p in files if p.stat().st_size <= MAX_FILE_BYTES]


def _corpus(files: list[Path]) -> Iterator[str]:
    yield from _synthetic_lines()
    for path in files:
        yield from path.read_text(encoding="utf-8", errors="replace").splitlines()


def build(out_dir: Path = DEMO_TOKENIZER_DIR, examples: Path = REPO / "examples") -> Path:
    """Train the tokenizer and write tokenizer.json, tokenizer_config.json and build_info.json."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    files = _example_files(examples)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_corpus(files), trainer=trainer)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out_dir / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": None,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "unk_token": None,
        "additional_special_tokens": ["<|im_start|>"],
        "model_max_length": 1024,
        "clean_up_tokenization_spaces": False,
        "chat_template": DEMO_CHAT_TEMPLATE,
    }
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    info = {
        "description": "VibeFlow demo tokenizer: byte-level BPE trained on English support-chat text "
        "(synthetic chats plus the repo's examples/). For demos and tests only.",
        "builder": "python -m vibeflow_trainer.tools.build_demo_tokenizer",
        "vocab_size": tokenizer.get_vocab_size(),
        "special_tokens": SPECIAL_TOKENS,
        "inputs": ["vibeflow_trainer.demo_data.make_conversations(4000, seed=1234, multi_turn_ratio=0.3)"]
        + [
            f"{p.relative_to(REPO) if p.is_relative_to(REPO) else p} sha256={hashlib.sha256(p.read_bytes()).hexdigest()}"
            for p in files
        ],
    }
    (out_dir / "build_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEMO_TOKENIZER_DIR)
    parser.add_argument("--examples", type=Path, default=REPO / "examples")
    args = parser.parse_args()
    out = build(args.out, args.examples)
    print(f"wrote {out} ({json.loads((out / 'build_info.json').read_text())['vocab_size']} tokens)")


if __name__ == "__main__":
    main()
