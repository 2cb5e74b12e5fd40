"""Importer speed: a 1M-row JSONL imports in about the time `datasets.load_dataset("json")` takes.

Opt-in (it writes ~140 MB and takes ~15 s): `VIBEFLOW_BENCH=1 pytest tests/data/test_import_perf.py -s`.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from pathlib import Path

import orjson
import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("VIBEFLOW_BENCH"), reason="set VIBEFLOW_BENCH=1 to run the benchmark"
    ),
]

ROWS = 1_000_000
WORDS = [
    "the",
    "a",
    "to",
    "of",
    "and",
    "in",
    "is",
    "for",
    "on",
    "with",
    "how",
    "what",
    "why",
    "can",
    "you",
    "please",
    "my",
    "account",
    "order",
    "refund",
    "help",
]


def make_jsonl(path: Path, rows: int) -> Path:
    rng = random.Random(0)
    with path.open("wb") as f:
        for _ in range(rows):
            instruction = " ".join(rng.choices(WORDS, k=rng.randint(4, 12)))
            output = " ".join(rng.choices(WORDS, k=rng.randint(8, 25)))
            f.write(orjson.dumps({"instruction": instruction, "output": output}) + b"\n")
    return path


def test_million_row_jsonl_import_is_close_to_load_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datasets

    from vibeflow.data.readers import load_source

    datasets.disable_progress_bars()
    path = make_jsonl(tmp_path / "million.jsonl", ROWS)
    ours, baseline = [], []
    for attempt in range(3):
        monkeypatch.setenv("VIBEFLOW_HOME", str(tmp_path / f"home{attempt}"))
        started = time.perf_counter()
        result = load_source(path)
        ours.append(time.perf_counter() - started)
        assert result.dataset.num_rows == ROWS and result.dataset[ROWS - 1]["row"] == ROWS
        started = time.perf_counter()
        plain = datasets.load_dataset(
            "json", data_files=str(path), split="train", cache_dir=str(tmp_path / f"hf{attempt}")
        )
        baseline.append(time.perf_counter() - started)
        assert plain.num_rows == ROWS
    ours_s, base_s = statistics.median(ours), statistics.median(baseline)
    print(f"\n1M-row JSONL: load_source {ours_s:.2f}s (canonical), load_dataset('json') {base_s:.2f}s (raw)")
    assert ours_s < 2.0 * base_s + 1.0
