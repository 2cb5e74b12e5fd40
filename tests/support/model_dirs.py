"""Model folders on disk as `save_pretrained` writes them: config.json plus real safetensors files (sparse, zeros).

The safetensors files are complete and valid (the `safetensors` package opens them), but written sparse: the
header names every tensor with its dtype, shape and offsets and the file is extended to its full size without
writing the zero bytes, so a 135M-parameter model costs a few kilobytes of disk.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

# HuggingFaceTB/SmolLM2-135M's config.json (the numbers that matter) and its exact parameter count.
SMOLLM2_CONFIG: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 576,
    "num_hidden_layers": 30,
    "num_attention_heads": 9,
    "num_key_value_heads": 3,
    "head_dim": 64,
    "intermediate_size": 1536,
    "vocab_size": 49152,
    "tie_word_embeddings": True,
    "max_position_embeddings": 8192,
    "torch_dtype": "bfloat16",
}
SMOLLM2_PARAMS = 134_515_008


def llama_tensors(config: dict[str, Any], biases: bool = False) -> dict[str, list[int]]:
    """Tensor names and shapes of a Llama-style checkpoint (Qwen2-style q/k/v biases with `biases`)."""
    d, f, vocab = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    head = config.get("head_dim") or d // config["num_attention_heads"]
    q, kv = config["num_attention_heads"] * head, config["num_key_value_heads"] * head
    tensors: dict[str, list[int]] = {"model.embed_tokens.weight": [vocab, d], "model.norm.weight": [d]}
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}."
        tensors.update(
            {
                p + "self_attn.q_proj.weight": [q, d],
                p + "self_attn.k_proj.weight": [kv, d],
                p + "self_attn.v_proj.weight": [kv, d],
                p + "self_attn.o_proj.weight": [d, q],
                p + "mlp.gate_proj.weight": [f, d],
                p + "mlp.up_proj.weight": [f, d],
                p + "mlp.down_proj.weight": [d, f],
                p + "input_layernorm.weight": [d],
                p + "post_attention_layernorm.weight": [d],
            }
        )
        if biases:
            tensors.update({p + "self_attn.q_proj.bias": [q], p + "self_attn.k_proj.bias": [kv]})
            tensors[p + "self_attn.v_proj.bias"] = [kv]
    if not config.get("tie_word_embeddings", True):
        tensors["lm_head.weight"] = [vocab, d]
    return tensors


def write_safetensors(path: Path, tensors: dict[str, list[int]], dtype: str = "BF16") -> None:
    """A valid safetensors file declaring `tensors` (all zeros, written sparse)."""
    width = {"BF16": 2, "F16": 2, "F32": 4}[dtype]
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape in tensors.items():
        size = math.prod(shape) * width
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # the format pads the header to 8 bytes
    with path.open("wb") as handle:
        handle.write(struct.pack("<Q", len(raw)))
        handle.write(raw)
        handle.truncate(8 + len(raw) + offset)


def write_model_dir(
    folder: Path,
    config: dict[str, Any] | None = None,
    *,
    weights: bool = True,
    shards: int = 1,
    biases: bool = False,
    readme: str | None = None,
    chat_template: str | None = None,
) -> Path:
    """A model folder: config.json, weights in `shards` safetensors files (with an index when > 1), and
    optionally a README.md and a tokenizer_config.json with a chat template."""
    config = dict(SMOLLM2_CONFIG if config is None else config)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    if weights:
        tensors = llama_tensors(config, biases)
        names = list(tensors)
        if shards == 1:
            write_safetensors(folder / "model.safetensors", tensors)
        else:
            weight_map: dict[str, str] = {}
            step = math.ceil(len(names) / shards)
            for i in range(shards):
                file = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
                part = {name: tensors[name] for name in names[i * step : (i + 1) * step]}
                write_safetensors(folder / file, part)
                weight_map.update(dict.fromkeys(part, file))
            total = sum(math.prod(s) * 2 for s in tensors.values())
            index = {"metadata": {"total_size": total}, "weight_map": weight_map}
            (folder / "model.safetensors.index.json").write_text(json.dumps(index), encoding="utf-8")
    if readme is not None:
        (folder / "README.md").write_text(readme, encoding="utf-8")
    if chat_template is not None:
        tokenizer = {"tokenizer_class": "GPT2Tokenizer", "chat_template": chat_template}
        (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    return folder
