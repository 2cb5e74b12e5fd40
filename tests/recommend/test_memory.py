"""Memory formula against hand-computed numbers and published measurements."""

from __future__ import annotations

import pytest

from vibeflow.recommend.catalog import ModelSpec, find_gpu, find_model
from vibeflow.recommend.memory import check_fit, estimate_memory, lora_params

GB = 1e9


def test_mistral_7b_lora_bf16_fits_a100_40gb_hand_computed() -> None:
    model, gpu = find_model("mistral-7b"), find_gpu("A100-40GB")
    est = estimate_memory(
        model,
        "lora",
        batch_size=4,
        seq_len=1024,
        precision="bf16",
        gradient_checkpointing=True,
        device=gpu,
        lora_r=16,
        lora_targets=["q_proj", "v_proj"],
    )
    # By hand: d=4096, kv=8x128=1024, ffn=14336, 32 layers, vocab 32768.
    lora = 32 * (16 * (4096 + 4096) + 16 * (4096 + 1024))  # q_proj + v_proj adapters
    assert lora == 6_815_744 == lora_params(model, 16, ["q_proj", "v_proj"])
    weights = 7.248e9 * 2
    adapters = lora * (4 + 4 + 8)  # fp32 weights + fp32 grads + two Adam moments
    tokens = 4 * 1024
    layer = 4 * 4096 + 2 * 4096 + 2 * 1024 + 4 * 14336 + 2 * 4096  # + dropout copies of the q/v inputs
    activations = tokens * (32 * 4096 + layer) * 2  # checkpointed: one input per layer + one full layer
    logits = tokens * 32768 * (2 + 4 + 4)
    expected = (weights + adapters + activations + logits) * 1.08 + 0.8 * GB
    assert est.total_gb == pytest.approx(expected / GB, rel=1e-3)
    assert est.breakdown.weights_gb == pytest.approx(14.496, abs=1e-3)
    fit = check_fit(est, gpu)
    assert fit.fits and fit.status == "ok" and "40 GB" in fit.reason


def test_70b_full_finetune_does_not_fit_one_h100() -> None:
    model, gpu = find_model("llama-3.3-70b"), find_gpu("H100-80GB")
    est = estimate_memory(
        model, "full", batch_size=1, seq_len=512, precision="bf16", gradient_checkpointing=True, device=gpu
    )
    assert (
        est.breakdown.weights_gb + est.breakdown.gradients_gb + est.breakdown.optimizer_gb
        == pytest.approx(70.55 * 16, rel=1e-3)
    )  # 16 bytes per parameter: fp32 weights, grads, 2 Adam moments
    fit = check_fit(est, gpu)
    assert not fit.fits and fit.status == "no" and "optimizer" in fit.reason


def test_70b_qlora_fits_one_h100() -> None:
    model, gpu = find_model("llama-3.3-70b"), find_gpu("H100-80GB")
    est = estimate_memory(
        model,
        "qlora",
        batch_size=1,
        seq_len=1024,
        precision="bf16",
        gradient_checkpointing=True,
        device=gpu,
        lora_r=16,
        lora_targets="all-linear",
    )
    embeddings = 2 * 128256 * 8192
    assert est.breakdown.weights_gb == pytest.approx(
        ((70.55e9 - embeddings) * 0.515 + embeddings * 2) / GB, rel=1e-3
    )
    assert est.breakdown.dequant_overhead_gb > 0
    assert check_fit(est, gpu).fits


@pytest.mark.parametrize(("seq", "published_gb"), [(256, 20.1), (8192, 36.6)])
def test_lora_memory_matches_qwen_readme_measurements(seq: int, published_gb: float) -> None:
    """Qwen-7B LoRA r=64 on c_attn/c_proj/w1/w2, batch 1, gradient checkpointing (Qwen README table)."""
    qwen7 = ModelSpec(
        id="qwen-7b",
        name="Qwen-7B",
        hf_id="Qwen/Qwen-7B",
        family="qwen",
        params_b=7.72,
        hidden_size=4096,
        num_layers=32,
        num_heads=32,
        num_kv_heads=32,
        intermediate_size=11008,
        vocab_size=151936,
        tie_embeddings=False,
        context_length=8192,
        license="qwen",
        commercial_use=True,
        chat_template="chatml",
        good_for=[],
        lora_target_modules=["qkv_proj", "o_proj", "gate_proj", "down_proj"],
        source="test",
        as_of="2026-11-23",
    )
    est = estimate_memory(
        qwen7,
        "lora",
        batch_size=1,
        seq_len=seq,
        precision="bf16",
        gradient_checkpointing=True,
        device=find_gpu("A100-80GB"),
        lora_r=64,
        lora_targets=qwen7.lora_target_modules,
        lora_dropout=False,
    )
    assert est.total_gb == pytest.approx(published_gb, rel=0.05)


def test_checkpointing_and_batch_change_activations_only() -> None:
    model, gpu = find_model("qwen2.5-1.5b"), find_gpu("L4")
    common = {"seq_len": 1024, "precision": "bf16", "device": gpu}
    on = estimate_memory(model, "lora", batch_size=4, gradient_checkpointing=True, **common)
    off = estimate_memory(model, "lora", batch_size=4, gradient_checkpointing=False, **common)
    double = estimate_memory(model, "lora", batch_size=8, gradient_checkpointing=True, **common)
    assert off.breakdown.activations_gb > 5 * on.breakdown.activations_gb
    assert on.breakdown.weights_gb == off.breakdown.weights_gb == double.breakdown.weights_gb
    assert double.breakdown.logits_gb == pytest.approx(2 * on.breakdown.logits_gb, rel=1e-3)


def test_qlora_needs_cuda_and_fp32_doubles_cpu_weights() -> None:
    model, cpu = find_model("smollm2-135m"), find_gpu("cpu")
    qlora = estimate_memory(
        model, "qlora", batch_size=1, seq_len=256, precision="fp32", gradient_checkpointing=False, device=cpu
    )
    fit = check_fit(qlora, cpu)
    assert not fit.fits and "CUDA" in fit.reason
    fp32 = estimate_memory(
        model, "lora", batch_size=1, seq_len=256, precision="fp32", gradient_checkpointing=False, device=cpu
    )
    assert fp32.breakdown.weights_gb == pytest.approx(0.135 * 4, rel=1e-3)
    assert check_fit(fp32, cpu).fits


def test_tight_status_between_85_and_100_percent() -> None:
    model, gpu = find_model("mistral-7b"), find_gpu("A10G")
    statuses = {
        check_fit(
            estimate_memory(
                model,
                "lora",
                batch_size=b,
                seq_len=1024,
                precision="bf16",
                gradient_checkpointing=True,
                device=gpu,
            ),
            gpu,
        ).status
        for b in range(1, 9)
    }
    assert {"tight", "no"} <= statuses or {"ok", "tight"} <= statuses
