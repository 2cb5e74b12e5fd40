"""Token counters: the documented approximation, the shipped demo tokenizer, local tokenizers, offline Hub ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from vibeflow.data.tokens import (
    ApproxTokenCounter,
    HFTokenizerCounter,
    TokenCounter,
    count_tokens,
    demo_tokenizer_path,
    get_token_counter,
)


def test_approximation_by_script() -> None:
    counter = get_token_counter(None)
    assert isinstance(counter, ApproxTokenCounter) and counter.exact is False and counter.name == "approx"
    english = "How do I reset my password?"  # 27 ASCII chars -> ceil(6.75) = 7
    cyrillic = "Привет мир"  # 9 Cyrillic + 1 space: extra bytes 9 -> ceil(1/4 + 9/2) = 5
    chinese = "你好世界"  # 4 chars, 8 extra bytes -> 4 tokens
    assert counter.count_batch([english, cyrillic, chinese, "", "a"]) == [7, 5, 4, 0, 1]
    assert get_token_counter("approx").name == "approx"


def test_arrow_and_list_paths_agree() -> None:
    counter = get_token_counter(None)
    texts = ["short", "a somewhat longer sentence with words", "", "naïve café ünïcödé"]
    chunked = pa.chunked_array([pa.array(texts[:2]), pa.array(texts[2:])])
    assert count_tokens(counter, chunked).tolist() == counter.count_batch(texts)


def test_demo_tokenizer_is_exact_when_shipped() -> None:
    counter = get_token_counter("vibeflow-demo-tiny")
    assert isinstance(counter, TokenCounter)
    if not demo_tokenizer_path().is_file():
        assert counter.exact is False and "not found" in counter.name
        return
    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(str(demo_tokenizer_path()))
    texts = ["How do I reset my password?", "Your order ships tomorrow.", ""]
    expected = [len(reference.encode(t, add_special_tokens=False).ids) for t in texts]
    assert counter.exact is True and counter.name == "vibeflow-demo-tiny"
    assert counter.count_batch(texts) == expected
    assert count_tokens(counter, pa.chunked_array([pa.array(texts)])).tolist() == expected


def test_local_directory_with_tokenizer_json(tmp_path: Path) -> None:
    if not demo_tokenizer_path().is_file():
        pytest.skip("the demo tokenizer asset is not built in this checkout")
    shutil.copy(demo_tokenizer_path(), tmp_path / "tokenizer.json")
    counter = get_token_counter(str(tmp_path))
    assert isinstance(counter, HFTokenizerCounter) and counter.exact
    assert counter.count_batch(["hello world"])[0] > 0


def test_hub_id_offline_falls_back_with_a_note(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    counter = get_token_counter("meta-llama/Llama-3.2-1B")
    assert counter.exact is False
    assert "unavailable offline" in counter.name and "approximate" in counter.note


def test_hub_id_found_in_local_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if not demo_tokenizer_path().is_file():
        pytest.skip("the demo tokenizer asset is not built in this checkout")
    snapshot = tmp_path / "models--acme--tiny" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    shutil.copy(demo_tokenizer_path(), snapshot / "tokenizer.json")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    counter = get_token_counter("acme/tiny")
    assert counter.exact and counter.name == "acme/tiny"
