"""Distinct support-style rows for tests that need data a quality report keeps: every row has its own words.

Rows such as "How do I reset password {i}?" differ only in a number; the quality report rightly calls them near
duplicates of each other (and a split keeps such a group on one side), so tests of import, split and training
need rows that a reader would also call different.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

TOKENIZER = (
    Path(__file__).resolve().parents[2] / "trainer/vibeflow_trainer/assets/smollm2_tokenizer/tokenizer.json"
)
WORDS_PER_ROW = 6


@lru_cache(maxsize=1)
def _words() -> list[str]:
    """Plain lower-case English words from the shipped tokenizer's vocabulary (deterministic order)."""
    vocab = json.loads(TOKENIZER.read_text(encoding="utf-8"))["model"]["vocab"]
    words = {
        t[1:]
        for t in vocab
        if t.startswith("Ġ") and t[1:].isalpha() and t[1:].islower() and 5 <= len(t) <= 10
    }
    return sorted(words)


def ticket(i: int) -> tuple[str, str]:
    """Row `i`'s (question, answer): two sentences whose content words no other row uses."""
    words = _words()
    w = [words[(i * WORDS_PER_ROW + k) * 7 % len(words)] for k in range(WORDS_PER_ROW)]
    return f"How do I {w[0]} the {w[1]} {w[2]}?", f"Open {w[3]}, then {w[4]} and {w[5]}."


def csv_rows(n: int) -> list[str]:
    """`n` CSV lines (question,answer) without a header."""
    return [f'"{q}","{a}"' for q, a in map(ticket, range(n))]
