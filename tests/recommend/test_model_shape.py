"""A local model folder (or a Hub model in the Hugging Face cache) is sized from its own config.json and
safetensors headers — no size in its name needed — and a folder that is not a model is a typed error with a fix."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from tests.support.model_dirs import SMOLLM2_CONFIG, SMOLLM2_PARAMS, llama_tensors, write_model_dir

from vibeflow.recommend import catalog
from vibeflow.recommend.errors import ModelDirectoryError, UnknownModelError
from vibeflow.recommend.estimator import estimate
from vibeflow.recommend.safetensors_header import read_header

CHATML = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
QWEN_LIKE = {
    "model_type": "qwen2",
    "hidden_size": 896,
    "num_hidden_layers": 24,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "intermediate_size": 4864,
    "vocab_size": 151936,
    "tie_word_embeddings": True,
    "max_position_embeddings": 32768,
    "torch_dtype": "bfloat16",
}


def test_model_folder_is_sized_from_config_and_safetensors_header(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "my-finetune")
    model = catalog.find_model(str(folder))
    assert not model.estimated and model.id == str(folder) and model.hf_id == str(folder)
    assert model.params_b * 1e9 == pytest.approx(SMOLLM2_PARAMS, abs=1)
    assert (model.hidden_size, model.num_layers, model.num_heads, model.num_kv_heads) == (576, 30, 9, 3)
    assert (model.intermediate_size, model.vocab_size, model.context_length) == (1536, 49152, 8192)
    assert model.tie_embeddings and model.family == "llama" and "safetensors header" in model.source
    assert (model.license, model.chat_template, model.commercial_use) == ("unknown", "unknown", False)
    est = estimate({"base_model": str(folder), "device": "L4", "n_examples": 500})
    assert est.memory.total_params == SMOLLM2_PARAMS and est.model == str(folder)
    assert not any("not in the catalog" in w for w in est.warnings)


def test_the_header_count_is_exact_and_sharded_checkpoints_are_read_through_the_index(tmp_path: Path) -> None:
    from safetensors import safe_open

    folder = write_model_dir(tmp_path / "qwen-like", QWEN_LIKE, shards=2, biases=True)
    header_params = sum(math.prod(s) for s in llama_tensors(QWEN_LIKE, biases=True).values())
    for shard in sorted(folder.glob("*.safetensors")):  # the files are real safetensors, not just headers
        with safe_open(str(shard), framework="numpy") as handle:
            assert set(handle.keys()) == set(read_header(shard)) - {"__metadata__"}
    model = catalog.find_model(str(folder))
    assert model.params_b * 1e9 == pytest.approx(header_params, abs=1)  # q/k/v biases included
    assert "2 shards" in model.source and model.family == "qwen2"
    (
        folder / "model-00002-of-00002.safetensors"
    ).unlink()  # only some shards present: index total_size / 2 bytes
    assert catalog.find_model(str(folder)).params_b * 1e9 == pytest.approx(header_params, abs=1)


def test_without_weights_the_count_comes_from_the_shape(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "config-only", weights=False)
    model = catalog.find_model(str(folder))
    assert model.params_b * 1e9 == pytest.approx(SMOLLM2_PARAMS, abs=1)
    assert "computed from config.json" in model.notes
    untied = write_model_dir(
        tmp_path / "untied", {**SMOLLM2_CONFIG, "tie_word_embeddings": False}, weights=False
    )
    assert catalog.find_model(str(untied)).params_b * 1e9 == pytest.approx(
        SMOLLM2_PARAMS + 49152 * 576, abs=1
    )


def test_licence_and_chat_template_are_read_from_the_folder(tmp_path: Path) -> None:
    readme = "---\nlibrary_name: transformers\nlicense: apache-2.0\nlanguage:\n- en\n---\n\n# My model\n"
    folder = write_model_dir(tmp_path / "card", readme=readme, chat_template=CHATML)
    model = catalog.find_model(str(folder))
    assert (model.license, model.commercial_use, model.chat_template) == ("apache-2.0", True, "chatml")
    other = write_model_dir(tmp_path / "other", readme="# no front matter\n", chat_template="{{ messages }}")
    assert (catalog.find_model(str(other)).license, catalog.find_model(str(other)).chat_template) == (
        "unknown",
        "custom",
    )


def test_a_folder_that_is_not_a_model_is_a_typed_error_naming_what_is_missing(tmp_path: Path) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    with pytest.raises(ModelDirectoryError) as info:
        catalog.find_model(str(empty))
    assert "no config.json" in info.value.message and "config.json" in info.value.fix
    assert "vibeflow catalog models" in info.value.fix and info.value.http_status == 400
    assert isinstance(info.value, UnknownModelError) and info.value.details["missing"] == ["config.json"]

    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "Qwen/Qwen2.5-0.5B"}))
    with pytest.raises(ModelDirectoryError) as info:
        catalog.find_model(str(adapter))
    assert "LoRA adapter" in info.value.message and "Qwen/Qwen2.5-0.5B" in info.value.fix

    vision = tmp_path / "vision"
    vision.mkdir()
    (vision / "config.json").write_text(json.dumps({"model_type": "vit", "hidden_size": 768}))
    with pytest.raises(ModelDirectoryError) as info:
        catalog.find_model(str(vision))
    missing = info.value.details["missing"]
    assert missing == ["num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size"]
    assert all(name in info.value.message for name in missing) and "decoder language model" in info.value.fix

    (vision / "config.json").write_text("{not json")
    with pytest.raises(ModelDirectoryError) as info:
        catalog.find_model(str(vision))
    assert "config.json" in info.value.message and "valid JSON" in info.value.fix


def test_a_missing_path_or_unknown_name_names_a_fix_that_exists(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError) as info:
        catalog.find_model(str(tmp_path / "nowhere"))
    assert "no model directory" in info.value.message and "config.json" in info.value.fix
    with pytest.raises(UnknownModelError) as info:
        catalog.find_model("acme/mystery-chat")
    assert "hf download acme/mystery-chat config.json" in info.value.fix
    assert "model_params_b" not in info.value.fix  # the recipe has no such field
    assert catalog.find_model(str(tmp_path / "nowhere-7b")).estimated  # a size in the name still works


def test_the_shape_is_cached_until_a_file_changes(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "m", weights=False)
    first = catalog.find_model(str(folder))
    assert catalog.find_model(str(folder)).num_layers == first.num_layers == 30
    config = folder / "config.json"
    config.write_text(json.dumps({**SMOLLM2_CONFIG, "num_hidden_layers": 12}))
    stat = config.stat()
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert catalog.find_model(str(folder)).num_layers == 12


def test_a_hub_model_in_the_hugging_face_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(UnknownModelError):
        catalog.find_model("acme/support-chat")
    repo = tmp_path / "hub" / "models--acme--support-chat"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0123abcd")
    write_model_dir(repo / "snapshots" / "0123abcd", chat_template=CHATML)
    model = catalog.find_model("acme/support-chat")
    assert model.id == "acme/support-chat" and model.name == "acme/support-chat" and not model.estimated
    assert model.params_b * 1e9 == pytest.approx(SMOLLM2_PARAMS, abs=1) and model.chat_template == "chatml"
