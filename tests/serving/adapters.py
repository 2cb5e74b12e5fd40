"""Builds tiny LoRA adapters on the demo base with peft directly, laid out like a finished trainer run."""

from __future__ import annotations

import json
from pathlib import Path


def make_adapter(out: Path, seed: int = 1, rank: int = 4) -> Path:
    """A random (non-zero) LoRA on the demo base + the training tokenizer, generation config and manifest."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from vibeflow_trainer.demo_model import ensure_demo_model

    base_dir = ensure_demo_model()
    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=torch.float32)
    config = LoraConfig(
        r=rank, lora_alpha=2 * rank, target_modules=["q_proj", "v_proj"], init_lora_weights=False
    )
    model = get_peft_model(base, config)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    tokenizer.save_pretrained(str(out))
    base.generation_config.save_pretrained(str(out))
    manifest = {
        "status": "completed",
        "chat_format": "template_markers",
        "spec": {"base_model": "vibeflow-demo-tiny"},
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out
