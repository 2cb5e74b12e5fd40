"""Hover text for every recipe key and choice: what it does, typical range, current value and our recommendation.

The description and limits come from the pydantic model (recipe_fields); this module adds the practical
guidance a first-time fine-tuner needs ("typical", per-choice notes) and renders it as Markdown.
"""

from __future__ import annotations

from typing import Any

from vibeflow.lsp import recipe_fields
from vibeflow.lsp.advice import FieldAdvice

Path = tuple[str, ...]

TYPICAL: dict[Path, str] = {
    (
        "training",
        "learning_rate",
    ): "LoRA/QLoRA 1e-4 to 3e-4; full fine-tuning 1e-5 to 1e-4. Too high: loss spikes "
    "or NaN; too low: loss barely moves.",
    (
        "training",
        "num_epochs",
    ): "1-2 for 10K+ examples, 2-3 for 1K-10K, at most 3-5 below 1K (more memorises the data).",
    (
        "training",
        "batch_size",
    ): "1-8 per device; the effective batch (x gradient_accumulation) of 8-32 matters "
    "more than either number alone. Memory grows linearly with it.",
    (
        "training",
        "gradient_accumulation",
    ): "1-16: raise it when you lower batch_size so the effective batch stays the same.",
    ("training", "warmup_ratio"): "0.03-0.1.",
    ("training", "weight_decay"): "0-0.1 (0.01 is a safe default).",
    (
        "training",
        "max_seq_length",
    ): "512-4096 tokens: the longest prompt + answer you need. Memory grows with it; "
    "longer examples are truncated (the data diagnostics flag them).",
    ("training", "max_steps"): "only for smoke tests (e.g. 20-50); leave empty for real runs.",
    ("training", "lora", "r"): "8 below 1K examples, 16 for 1K-10K, 32-64 for larger or harder tasks.",
    ("training", "lora", "alpha"): "twice the rank (the default when empty).",
    ("training", "lora", "dropout"): "0.0-0.1; 0.05 is typical.",
    (
        "training",
        "lora",
        "target_modules",
    ): "[q_proj, v_proj] is cheapest; 'all-linear' learns more per rank.",
    (
        "training",
        "checkpoint_every",
    ): "every 50-500 steps: often enough to lose little on a crash or preemption.",
    ("data", "test_split"): "0.1-0.2; at least ~50 held-out examples for a meaningful evaluation.",
    ("compute", "gpu_count"): "1 unless the model does not fit on one GPU.",
    ("budget", "max_cost_usd"): "set it: the run is refused before it starts when the estimate is higher.",
}

CHOICES: dict[Path, dict[str, str]] = {
    ("method",): {
        "lora": "Trains a small adapter (~0.1-1% of the weights) on a frozen base. Fast, cheap, runs anywhere; "
        "the right default.",
        "qlora": "LoRA on a 4-bit quantized base: about a quarter of the weight memory, a bit slower. Needs a CUDA "
        "GPU (bitsandbytes).",
        "full": "Updates every weight: most memory (about 16 bytes per parameter with Adam) and the highest "
        "ceiling. Use a ~10x lower learning rate.",
    },
    ("preset",): {
        "conservative": "r=8, lr 1e-4, 2 epochs: safe first run, high-quality data, lowest risk and cost.",
        "balanced": "r=16, lr 2e-4, 3 epochs: most use cases; proven default.",
        "aggressive": "r=32, lr 3e-4, 4 epochs: complex data or maximum quality; more overfitting risk and cost.",
    },
    ("training", "optimizer"): {
        "adamw_torch": "AdamW: the standard, works everywhere.",
        "adamw_8bit": "AdamW with 8-bit states: less memory; needs CUDA (bitsandbytes).",
        "adafactor": "Factored second moments: least optimizer memory, slightly less stable.",
        "sgd": "Plain SGD: rarely right for fine-tuning language models.",
    },
    ("training", "precision"): {
        "auto": "bf16 where the GPU supports it, else fp16 on CUDA, else fp32 on CPU.",
        "fp32": "Full precision: slowest, most memory; the only choice on CPU.",
        "fp16": "Half precision on CUDA; may need loss scaling.",
        "bf16": "Brain float 16: stable half precision on Ampere or newer GPUs (A100, L4, H100...).",
    },
    ("data", "fixes"): {
        "drop_missing": "Drop rows whose prompt or answer is empty.",
        "dedup_exact": "Keep one copy of rows that are exactly the same.",
        "dedup_near": "Keep one row of each group of near-identical rows (MinHash similarity).",
        "drop_over_context": "Drop rows longer than max_seq_length instead of truncating them.",
        "normalize_whitespace": "Trim and collapse runs of spaces and blank lines.",
        "repair_mojibake": "Repair text decoded with the wrong encoding (ftfy), e.g. 'cafÃ©' -> 'café'.",
    },
    ("compute", "target"): {
        "local": "A subprocess on this machine (CPU or local GPU); costs nothing but time.",
        "cloud": "A GPU provisioned through SkyPilot; priced by the estimator before it starts.",
    },
}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def field_markdown(
    path: Path, current: Any = None, from_preset: str | None = None, advice: FieldAdvice | None = None
) -> str | None:
    """Markdown hover for the key at `path`; None when it is not a recipe key."""
    spec = recipe_fields.spec(path)
    if spec is None:
        return None
    head = f"**`{spec.dotted}`** · {spec.type_label()}"
    if bounds := spec.bounds_label():
        head += f" ({bounds})"
    if spec.required:
        head += " · required"
    parts = [head, spec.description or recipe_fields.block_description(path)]
    if spec.kind == "block":
        keys = ", ".join(f"`{c.path[-1]}`" for c in recipe_fields.children(path))
        parts.append(f"Keys: {keys}")
    if typical := TYPICAL.get(path):
        parts.append(f"*Typical:* {typical}")
    if choices := CHOICES.get(path):
        parts.append("\n".join(f"- `{name}`: {text}" for name, text in choices.items()))
    if current is not None:
        source = f" (from preset `{from_preset}`; set it here to override)" if from_preset else ""
        parts.append(f"*Now:* `{_fmt(current)}`{source}")
    elif spec.default not in (None, [], {}) and spec.kind != "block":
        parts.append(f"*Default:* `{_fmt(spec.default)}`")
    if advice is not None:
        parts.append(f"*We recommend:* `{_fmt(advice.recommended)}` — {advice.why}")
    return "\n\n".join(p for p in parts if p)


def choice_markdown(path: Path, value: str) -> str | None:
    """Markdown for one enum choice (hovering `qlora` in `method: qlora`)."""
    text = CHOICES.get(path, {}).get(value)
    return f"**`{value}`** ({'.'.join(path)})\n\n{text}" if text else None


def model_markdown(model: Any, estimate: Any = None) -> str:
    """Markdown for the base model in effect: its size and shape (catalog or its own config.json) and the estimate."""
    size = f"{model.params_b * 1000:.0f}M" if model.params_b < 1 else f"{model.params_b:.1f}B"
    parts = [
        f"*This model:* {model.name} · {size} parameters · {model.num_layers} layers, hidden "
        f"{model.hidden_size}, {model.num_heads} heads ({model.num_kv_heads} KV) · context "
        f"{model.context_length:,} · licence {model.license} · chat template {model.chat_template}",
    ]
    if model.notes:
        parts.append(model.notes)
    memory = getattr(estimate, "memory", None)
    time = getattr(estimate, "time", None)
    if memory is not None and time is not None:
        parts.append(f"*Estimate:* peak memory {memory.total_gb:.1f} GB, {time.human} on {estimate.device}")
    return "\n\n".join(parts)
