"""Builds the offline demo base model (small random-init Llama + the shipped tokenizer) once into VIBEFLOW_HOME."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from vibeflow_trainer.assets_paths import DEMO_MODEL_ID, DEMO_TOKENIZER_DIR

DEMO_SHAPE = {
    "hidden_size": 128,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "intermediate_size": 344,
    "max_position_embeddings": 1024,
    # Wider than Llama's 0.02 so the tied embeddings/LM head give logits large enough for LoRA to lower the
    # loss visibly within a one-minute CPU demo.
    "initializer_range": 0.1,
}
DEMO_SEED = 0
DEMO_NOTE = (
    "VibeFlow demo base: a tiny Llama with RANDOM weights (seed {seed}), built offline for demos and tests. "
    "It produces gibberish; fine-tuning it only shows the pipeline working. Use a real base model for real work."
)


def vibeflow_home() -> Path:
    return Path(os.environ.get("VIBEFLOW_HOME") or Path.home() / ".vibeflow").expanduser()


def _fingerprint(shape: dict[str, float], seed: int) -> str:
    digest = hashlib.sha256(json.dumps({"shape": shape, "seed": seed}, sort_keys=True).encode())
    digest.update((DEMO_TOKENIZER_DIR / "tokenizer.json").read_bytes())
    digest.update((DEMO_TOKENIZER_DIR / "tokenizer_config.json").read_bytes())
    return digest.hexdigest()[:10]


def build_model_dir(target: Path, shape: dict[str, float] | None = None, seed: int = DEMO_SEED) -> Path:
    """Write a random-init Llama with the demo tokenizer into `target` (atomically; reused when present)."""
    target = Path(target)
    if (target / "config.json").is_file():
        return target
    import torch
    from transformers import AutoTokenizer, GenerationConfig, LlamaConfig, LlamaForCausalLM

    shape = {**DEMO_SHAPE, **(shape or {})}
    tokenizer = AutoTokenizer.from_pretrained(str(DEMO_TOKENIZER_DIR))
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
        **shape,
    )
    config.vibeflow_demo = {"random_init": True, "seed": seed, "note": DEMO_NOTE.format(seed=seed)}
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, max_new_tokens=64
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        model.save_pretrained(str(staging))
        tokenizer.save_pretrained(str(staging))
        (staging / "README.md").write_text(
            f"# {DEMO_MODEL_ID}\n\n{DEMO_NOTE.format(seed=seed)}\n\nShape: {json.dumps(shape)}\n",
            encoding="utf-8",
        )
        staging.chmod(0o755)
        for file in staging.iterdir():
            file.chmod(0o644)
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / "config.json").is_file():  # lost a race only if the winner finished
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def ensure_demo_model() -> Path:
    """Return the cached demo base directory, building it on first use (no network needed)."""
    target = vibeflow_home() / "models" / f"{DEMO_MODEL_ID}-{_fingerprint(DEMO_SHAPE, DEMO_SEED)}"
    return build_model_dir(target).resolve()
