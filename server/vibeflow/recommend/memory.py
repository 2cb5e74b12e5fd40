"""Peak training memory of one configuration, part by part, and whether each device can hold it.

Formula (bytes; documented with worked examples in docs/recommend.md):

    total = (weights + lora + gradients + optimizer + activations + logits + dequant) * (1 + fragmentation)
            + runtime context

* weights: full → N x 4 (fp32 master weights, mixed precision); lora → N x 2 (bf16/fp16) or 4 (fp32);
  qlora → matmul weights x 0.5 x 1.03 (NF4 + double-quantised constants) + embeddings x 2.
* trainable = N (full) or the LoRA parameters: r x (in + out) for every targeted projection of every layer.
* gradients = trainable x 4 (fp32); optimizer = trainable x bytes per state (AdamW 8, 8-bit Adam 2, …);
  LoRA adapters are kept in fp32 (4 bytes) on top of the frozen base.
* activations per token and layer (elements): 4d (two norms, in and out) + 2 q_dim (q, attention output)
  + 2 kv_dim (k, v) + 4 ffn (gate, up, act, product) [+ LoRA dropout copies of each adapted input];
  x batch x seq x bytes per activation. Gradient checkpointing keeps only each layer's input (d) plus one
  layer's full set during recomputation. FlashAttention/SDPA: no seq^2 attention matrix is stored.
* logits: batch x seq x vocab x (activation bytes + 4 + 4) — the LM head output, its fp32 copy for the loss
  and the fp32 gradient; this dominates for small models with large vocabularies.
* dequant (QLoRA): the largest projection dequantised to bf16 plus its workspace (2 x params x 2 bytes).
* fragmentation 8 %; runtime context 0.8 GB on CUDA (context, cuBLAS workspace), 0.6 GB on CPU (interpreter,
  torch). Status: ok < 85 % of device memory, tight < 100 %, no above. Checked against the Qwen README's
  measured LoRA memory (7B: 20.1 GB at 256 tokens, 36.6 GB at 8192): this formula gives 19.9 and 36.4 GB.
"""

from __future__ import annotations

from vibeflow.recommend.catalog import GPUSpec, ModelSpec
from vibeflow.recommend.schemas import DeviceFit, MemoryBreakdown, MemoryEstimate

GB = 1e9
FRAGMENTATION = 0.08
CUDA_CONTEXT_GB = 0.8
CPU_RUNTIME_GB = 0.6
CPU_USABLE_FRACTION = 0.8  # leave room for the OS, the editor and the backend itself
OK_FRACTION = 0.85
NF4_BYTES = 0.5 * 1.03
OPTIMIZER_BYTES = {
    "adamw_torch": 8.0,
    "adamw_torch_fused": 8.0,
    "adamw": 8.0,
    "paged_adamw_32bit": 8.0,
    "adamw_8bit": 2.0,
    "paged_adamw_8bit": 2.0,
    "adafactor": 0.5,
    "sgd": 0.0,
}


def resolve_precision(precision: str, device: GPUSpec) -> str:
    """`auto` → bf16 on GPUs that support it, fp16 on older CUDA GPUs, fp32 on CPU (the trainer's rule)."""
    if precision != "auto":
        return precision
    if not device.cuda:
        return "fp32"
    return "bf16" if device.bf16 else "fp16"


def resolve_checkpointing(value: bool | str, device: GPUSpec) -> bool:
    """`auto` → on for CUDA GPUs (memory is the constraint), off on CPU (speed is)."""
    return bool(value) if isinstance(value, bool) else device.cuda


def projection_shapes(model: ModelSpec) -> dict[str, tuple[int, int]]:
    """(in, out) features of each linear projection of one decoder layer, by module name."""
    d, q, kv, f = model.hidden_size, model.q_dim, model.kv_dim, model.intermediate_size
    return {
        "q_proj": (d, q),
        "k_proj": (d, kv),
        "v_proj": (d, kv),
        "o_proj": (q, d),
        "qkv_proj": (d, q + 2 * kv),
        "gate_proj": (d, f),
        "up_proj": (d, f),
        "gate_up_proj": (d, 2 * f),
        "down_proj": (f, d),
    }


def target_modules(model: ModelSpec, requested: list[str] | str | None) -> list[str]:
    """The projections LoRA adapts: a list, or 'auto'/'all-linear' (every projection the model has)."""
    shapes = projection_shapes(model)
    if requested is None or isinstance(requested, str):
        return list(model.lora_target_modules)
    names = [name for name in requested if name in shapes]
    return names or list(model.lora_target_modules)


def lora_params(model: ModelSpec, rank: int, modules: list[str] | str | None) -> int:
    shapes = projection_shapes(model)
    per_layer = sum(rank * (shapes[name][0] + shapes[name][1]) for name in target_modules(model, modules))
    return per_layer * model.num_layers


def _activation_elements(model: ModelSpec, adapted: list[str], dropout_copies: bool) -> tuple[float, float]:
    """(elements stored per token for one full layer, elements kept per token per layer when checkpointing)."""
    d, f = model.hidden_size, model.intermediate_size
    full = 4 * d + 2 * model.q_dim + 2 * model.kv_dim + 4 * f
    if dropout_copies:
        shapes = projection_shapes(model)
        full += sum(shapes[name][0] for name in adapted)
    return float(full), float(d)


def estimate_memory(
    model: ModelSpec,
    method: str,
    *,
    batch_size: int,
    seq_len: int,
    precision: str,
    gradient_checkpointing: bool,
    device: GPUSpec,
    lora_r: int = 16,
    lora_targets: list[str] | str | None = None,
    optimizer: str = "adamw_torch",
    lora_dropout: bool = True,
) -> MemoryEstimate:
    """Peak memory of one training configuration on `device` (precision already resolved)."""
    n = model.params
    act_bytes = 4.0 if precision == "fp32" else 2.0
    opt_bytes = OPTIMIZER_BYTES.get(optimizer, 8.0)
    adapted = target_modules(model, lora_targets)
    lora = 0.0 if method == "full" else float(lora_params(model, lora_r, lora_targets))
    embeddings = model.embedding_params * (1 if model.tie_embeddings else 2)
    if method == "full":
        weights, trainable = n * 4.0, n
    elif method == "qlora":
        weights, trainable = (n - embeddings) * NF4_BYTES + embeddings * 2.0, lora
    else:
        weights, trainable = n * act_bytes, lora
    lora_bytes = lora * 4.0
    grads = trainable * 4.0
    optim = trainable * opt_bytes
    tokens = batch_size * seq_len
    full_layer, kept = _activation_elements(
        model, adapted if method != "full" else [], method != "full" and lora_dropout
    )
    if gradient_checkpointing:
        act_elements = kept * model.num_layers + full_layer
    else:
        act_elements = full_layer * model.num_layers
    activations = tokens * act_elements * act_bytes
    logits = tokens * model.vocab_size * (act_bytes + 8.0)
    dequant = 0.0
    if method == "qlora":
        shapes = projection_shapes(model)
        largest = max(
            shapes[name][0] * shapes[name][1] for name in model.lora_target_modules if name in shapes
        )
        dequant = 2.0 * largest * 2.0
    subtotal = weights + lora_bytes + grads + optim + activations + logits + dequant
    runtime = (CUDA_CONTEXT_GB if device.cuda else CPU_RUNTIME_GB) * GB
    overhead = subtotal * FRAGMENTATION + runtime
    breakdown = MemoryBreakdown(
        weights_gb=_gb(weights),
        lora_params_gb=_gb(lora_bytes),
        gradients_gb=_gb(grads),
        optimizer_gb=_gb(optim),
        activations_gb=_gb(activations),
        logits_gb=_gb(logits),
        dequant_overhead_gb=_gb(dequant),
        runtime_overhead_gb=_gb(overhead),
    )
    return MemoryEstimate(
        model=model.id,
        method=method,
        precision=precision,
        batch_size=batch_size,
        seq_len=seq_len,  # type: ignore[arg-type]
        gradient_checkpointing=gradient_checkpointing,
        trainable_params=int(trainable),
        total_params=round(n),
        total_gb=_gb(subtotal + overhead),
        breakdown=breakdown,
    )


def _gb(value: float) -> float:
    return round(value / GB, 3)


def capacity_gb(device: GPUSpec) -> float:
    return device.memory_gb * (1.0 if device.cuda else CPU_USABLE_FRACTION)


def check_fit(estimate: MemoryEstimate, device: GPUSpec, gpu_count: int = 1) -> DeviceFit:
    """Fits / tight / doesn't fit on `device`, with the reason in words. Multi-GPU is data parallel."""
    capacity = capacity_gb(device)
    usage = estimate.total_gb / capacity
    pct = round(100 * usage, 1)
    need = f"{estimate.total_gb:.1f} GB needed"
    where = "usable RAM" if not device.cuda else "GPU memory"
    if estimate.method == "qlora" and not device.cuda:
        return DeviceFit(
            device=device.id,
            memory_gb=device.memory_gb,
            fits=False,
            status="no",
            usage_pct=pct,
            reason="QLoRA needs a CUDA GPU (bitsandbytes 4-bit); use LoRA on this device",
        )
    if usage <= OK_FRACTION:
        return DeviceFit(
            device=device.id,
            memory_gb=device.memory_gb,
            fits=True,
            status="ok",
            usage_pct=pct,
            reason=f"{need} of {capacity:.0f} GB {where} ({pct:.0f}%)",
        )
    if usage <= 1.0:
        return DeviceFit(
            device=device.id,
            memory_gb=device.memory_gb,
            fits=True,
            status="tight",
            usage_pct=pct,
            reason=f"{need} of {capacity:.0f} GB {where} ({pct:.0f}%): out-of-memory risk on long "
            "batches; lower batch_size or max_seq_length",
        )
    biggest = max(estimate.breakdown.model_dump().items(), key=lambda kv: kv[1])[0].removesuffix("_gb")
    multi = " (data-parallel GPUs each hold a full copy)" if gpu_count > 1 else ""
    return DeviceFit(
        device=device.id,
        memory_gb=device.memory_gb,
        fits=False,
        status="no",
        usage_pct=pct,
        reason=f"{need} but only {capacity:.0f} GB {where}{multi}; the largest part is "
        f"{biggest.replace('_', ' ')}",
    )
