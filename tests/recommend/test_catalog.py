"""Catalog integrity: every model and GPU has the fields the estimator needs, a source and a date."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from vibeflow.recommend import catalog
from vibeflow.recommend.errors import UnknownGPUError, UnknownModelError
from vibeflow.recommend.prices import read_skypilot_catalog

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REQUIRED_MODELS = {
    "vibeflow-demo-tiny",
    "smollm2-135m",
    "smollm2-360m",
    "smollm2-1.7b",
    "qwen2.5-0.5b",
    "qwen2.5-1.5b",
    "qwen2.5-3b",
    "qwen2.5-7b",
    "qwen2.5-14b",
    "qwen2.5-32b",
    "qwen2.5-72b",
    "llama-3.2-1b",
    "llama-3.2-3b",
    "llama-3.1-8b",
    "llama-3.3-70b",
    "mistral-7b",
    "phi-3-mini",
    "phi-3.5-mini",
    "gemma-2-2b",
    "gemma-2-9b",
    "gemma-2-27b",
}
REQUIRED_GPUS = {"T4", "L4", "A10G", "RTX4090", "L40S", "A100-40GB", "A100-80GB", "H100-80GB", "H200"}


def _shape_params(m: catalog.ModelSpec) -> float:
    """Parameters implied by the architecture numbers (Llama-style decoder)."""
    d, f = m.hidden_size, m.intermediate_size
    attention = d * m.q_dim + 2 * d * m.kv_dim + m.q_dim * d
    per_layer = attention + 3 * d * f + 2 * d
    return m.num_layers * per_layer + m.embedding_params * (1 if m.tie_embeddings else 2) + d


def test_required_entries_present() -> None:
    assert {m.id for m in catalog.models()} >= REQUIRED_MODELS
    assert {g.id for g in catalog.gpus()} >= REQUIRED_GPUS
    assert catalog.find_gpu("cpu").cuda is False


@pytest.mark.parametrize("model", catalog.models(), ids=lambda m: m.id)
def test_model_entry_complete_and_consistent(model: catalog.ModelSpec) -> None:
    assert model.source.strip() and ISO.match(model.as_of), model.id
    assert (
        model.hf_id and model.license and model.chat_template and model.good_for and model.lora_target_modules
    )
    assert model.context_length >= 1024
    # The parameter count matches the architecture within 8% (catches typos in either).
    assert _shape_params(model) == pytest.approx(model.params, rel=0.08), model.id


def test_demo_model_matches_the_trainer_and_the_yaml_fallback_is_current() -> None:
    demo_model = pytest.importorskip("vibeflow_trainer.demo_model")
    from tokenizers import Tokenizer

    from vibeflow_trainer.assets_paths import DEMO_TOKENIZER_JSON

    demo = catalog.find_model("vibeflow-demo-tiny")
    shape = demo_model.DEMO_SHAPE
    assert demo.demo and (demo.hidden_size, demo.num_layers, demo.intermediate_size) == (
        shape["hidden_size"],
        shape["num_hidden_layers"],
        shape["intermediate_size"],
    )
    assert demo.vocab_size == Tokenizer.from_file(str(DEMO_TOKENIZER_JSON)).get_vocab_size()
    assert _shape_params(demo) == pytest.approx(demo.params, rel=1e-6)
    fallback = next(e for e in catalog._read("models.yaml")["models"] if e["id"] == "vibeflow-demo-tiny")
    for key in ("hidden_size", "num_layers", "intermediate_size", "vocab_size", "context_length"):
        assert fallback[key] == getattr(demo, key), f"update {key} of vibeflow-demo-tiny in models.yaml"
    assert fallback["params_b"] == pytest.approx(demo.params_b, rel=0.01)


@pytest.mark.parametrize("gpu", catalog.gpus(), ids=lambda g: g.id)
def test_gpu_entry_complete_with_dated_prices(gpu: catalog.GPUSpec) -> None:
    assert gpu.source.strip() and ISO.match(gpu.as_of)
    assert gpu.memory_gb > 0 and gpu.peak_tflops > 0 and gpu.memory_bandwidth_gbs > 0
    assert gpu.prices, f"{gpu.id} has no price"
    for quote in gpu.prices:
        assert quote.source.strip() and ISO.match(quote.as_of)
        assert date.fromisoformat(quote.as_of) <= date.today()
        assert quote.on_demand is not None or quote.spot is not None
        if quote.on_demand is not None and quote.spot is not None:
            assert quote.spot < quote.on_demand


def test_bf16_flags() -> None:
    assert catalog.find_gpu("T4").bf16 is False
    assert all(catalog.find_gpu(name).bf16 for name in ("A100-80GB", "H100", "L4", "RTX4090"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("A100-80GB", "A100-80GB"),
        ("a100_80gb", "A100-80GB"),
        ("NVIDIA A100 80GB", "A100-80GB"),
        ("A100", "A100-40GB"),
        ("h100", "H100-80GB"),
        ("GeForce RTX 4090", "RTX4090"),
        ("4090", "RTX4090"),
        ("CPU", "cpu"),
        ("local", "cpu"),
    ],
)
def test_find_gpu_aliases(name: str, expected: str) -> None:
    assert catalog.find_gpu(name).id == expected


def test_unknown_gpu_is_a_typed_error_with_suggestions() -> None:
    with pytest.raises(UnknownGPUError) as info:
        catalog.find_gpu("H1000")
    assert "H100-80GB" in info.value.fix and info.value.http_status == 400
    with pytest.raises(UnknownGPUError):
        catalog.find_gpu("  ")


def test_find_model_by_hub_id_alias_and_size() -> None:
    assert catalog.find_model("Qwen/Qwen2.5-7B-Instruct").id == "qwen2.5-7b"
    assert catalog.find_model("Mistral-7B-Instruct-v0.3").id == "mistral-7b"
    guessed = catalog.find_model("acme/SuperChat-13B")
    assert guessed.estimated and guessed.params_b == 13
    assert _shape_params(guessed) == pytest.approx(13e9, rel=0.25)
    assert catalog.find_model("./my-model", params_b=0.2).params_b == 0.2
    with pytest.raises(UnknownModelError) as info:
        catalog.find_model("qwen-mystery")
    assert "vibeflow catalog models" in info.value.fix and "config.json" in info.value.fix


def test_skypilot_catalog_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    aws = tmp_path / "aws"
    aws.mkdir()
    (aws / "vms.csv").write_text(
        "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,SpotPrice\n"
        "p5.48xlarge,H100,8,192,2048,55.04,us-east-1,20.0\n"
        "g6.xlarge,L4,1,4,16,0.8048,us-east-1,0.35\n"
        "g6.2xlarge,L4,1,8,32,0.9776,us-east-1,\n",
        encoding="utf-8",
    )
    live = read_skypilot_catalog(tmp_path)
    assert live["H100-80GB"][0]["on_demand"] == pytest.approx(6.88) and live["H100-80GB"][0]["spot"] == 2.5
    assert live["L4"][0]["on_demand"] == 0.8048 and live["L4"][0]["spot"] == 0.35
    monkeypatch.setenv("VIBEFLOW_SKYPILOT_CATALOG_DIR", str(tmp_path))
    catalog.gpus.cache_clear()
    try:
        assert catalog.find_gpu("L4").prices[0].provider == "aws"
        assert catalog.find_gpu("T4").prices[0].provider == "modal"  # not in the live table: snapshot kept
    finally:
        monkeypatch.delenv("VIBEFLOW_SKYPILOT_CATALOG_DIR")
        catalog.gpus.cache_clear()
