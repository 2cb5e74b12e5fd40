"""End to end in-process runs: LoRA and full fine-tuning, events, outputs, and adapters usable by plain peft."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.trainer.conftest import journal, losses_by_step, of_type, stages

from vibeflow_trainer.cli import main
from vibeflow_trainer.events import read_events


def _run(spec: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[dict]]:
    code = main(["run", str(spec), *extra])
    return code, read_events(capsys.readouterr().out)


def test_lora_run_events_and_outputs(make_spec, chat_data, tiny_model: Path, tmp_path: Path, capsys) -> None:
    spec = make_spec(eval_path=str(chat_data["eval"]), eval_every=3, max_steps=8, checkpoint_every=4)
    code, stdout_events = _run(spec, capsys)
    out = tmp_path / "out"
    assert code == 0
    events = journal(out)
    assert stdout_events == events  # the journal is exactly what stdout carried
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert stages(events) == ["preprocessing", "model_loading", "training", "finalizing", "completed"]

    training = [e for e in of_type(events, "stage") if e["stage"] == "training"][0]["detail"]
    assert training["chat_format"] == "template_markers" and training["max_steps"] == 8
    assert training["batching"] == "padding_free"
    assert 0 < training["trainable_params"] < training["total_params"]

    losses = losses_by_step(events)
    assert sorted(losses) == list(range(1, 9))
    assert sum(list(losses.values())[-3:]) / 3 < losses[1]  # it learns
    metric = of_type(events, "metrics")[-1]
    assert {"learning_rate", "grad_norm", "tokens_per_s", "samples_per_s", "eta_s", "max_steps"} <= set(
        next(e for e in of_type(events, "metrics") if e["step"] == 2)
    )
    assert any("eval_loss" in e for e in of_type(events, "metrics")) and metric["step"] == 8

    gradients = of_type(events, "gradients")
    assert [g["step"] for g in gradients] == [2, 4, 6, 8]
    layer = gradients[0]["layers"][0]
    assert layer["name"] == "model.layers.0.self_attn.q_proj"
    assert layer["grad_norm"] > 0 and layer["update_ratio"] > 0

    assert [c["step"] for c in of_type(events, "checkpoint")] == [4, 8]
    for name in (
        "adapter_model.safetensors",
        "adapter_config.json",
        "tokenizer.json",
        "generation_config.json",
    ):
        assert (out / name).is_file(), name
    adapter_config = json.loads((out / "adapter_config.json").read_text())
    assert adapter_config["base_model_name_or_path"] == str(tiny_model)
    assert "<|im_start|>" in (out / "chat_template.jinja").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed" and manifest["steps"] == 8
    assert manifest["dataset"]["train_rows"] == 64 and len(manifest["dataset"]["train_sha256"]) == 64
    assert {"torch", "transformers", "peft", "trl"} <= set(manifest["versions"])
    assert manifest["hardware"]["cpu_count"] >= 1 and manifest["spec"]["run_id"] == "test-run"
    rows = (out / "metrics.csv").read_text().splitlines()
    assert rows[0].startswith("step,epoch,loss,eval_loss")
    assert [int(r.split(",")[0]) for r in rows[1:]] == [e["step"] for e in of_type(events, "metrics")]
    eval_steps = [e["step"] for e in of_type(events, "metrics") if "eval_loss" in e]
    assert eval_steps[:2] == [3, 6] and set(eval_steps) <= {3, 6, 8}


def test_adapter_loads_with_plain_peft(make_spec, tiny_model: Path, tmp_path: Path, capsys) -> None:
    code, _ = _run(make_spec(max_steps=4, learning_rate=5e-2), capsys)
    assert code == 0
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "out"
    tokenizer = AutoTokenizer.from_pretrained(out)
    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Where is my order #12345?"}],
        add_generation_prompt=True,
        return_tensors="pt",
    )
    input_ids = prompt["input_ids"] if hasattr(prompt, "keys") else prompt
    with torch.no_grad():
        base_logits = base(input_ids).logits
    tuned = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model), out)
    with torch.no_grad():
        tuned_logits = tuned(input_ids).logits
        generated = tuned.generate(input_ids, max_new_tokens=5, do_sample=False)
    assert not torch.allclose(base_logits, tuned_logits)  # the trained adapter weights were loaded
    assert generated.shape[1] > input_ids.shape[1]


def test_full_fine_tuning_saves_the_whole_model(make_spec, tmp_path: Path, capsys) -> None:
    code, events = _run(
        make_spec(method="full", max_steps=3, checkpoint_every=10, learning_rate=1e-3), capsys
    )
    assert code == 0 and stages(events)[-1] == "completed"
    out = tmp_path / "out"
    assert (out / "model.safetensors").is_file() and not (out / "adapter_config.json").exists()
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(out)
    training = [e for e in of_type(events, "stage") if e["stage"] == "training"][0]["detail"]
    assert training["trainable_params"] == training["total_params"] == model.num_parameters()


def test_demo_base_is_built_once_and_labelled(tmp_path: Path, chat_data, capsys) -> None:
    spec = tmp_path / "demo.json"
    spec.write_text(
        json.dumps(
            {
                "train_path": str(chat_data["train"]),
                "output_dir": str(tmp_path / "out"),
                "max_steps": 2,
                "batch_size": 2,
                "max_seq_length": 64,
                "gradient_stats_every": 0,
            }
        )
    )
    code, events = _run(spec, capsys)
    assert code == 0
    alert = of_type(events, "alert")[0]
    assert alert["kind"] == "demo_base" and "RANDOM weights" in alert["message"]
    from vibeflow_trainer.demo_model import ensure_demo_model

    base = ensure_demo_model()
    assert json.loads((base / "config.json").read_text())["vibeflow_demo"]["random_init"] is True
    assert "gibberish" in (base / "README.md").read_text()
    adapter_config = json.loads((tmp_path / "out" / "adapter_config.json").read_text())
    assert adapter_config["base_model_name_or_path"] == str(base)
    mtime = (base / "model.safetensors").stat().st_mtime
    assert ensure_demo_model() == base and (base / "model.safetensors").stat().st_mtime == mtime
