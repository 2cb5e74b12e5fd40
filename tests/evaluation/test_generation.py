"""The trainer's `evaluate` command on a full fine-tune (two models) and the prompt/reference tokenisation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.trainer.conftest import TINY_SHAPE

REPO = Path(__file__).resolve().parents[2]
GENERAL = REPO / "server/vibeflow/evaluation/general_set.jsonl"


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny base and a 'fully fine-tuned' copy with different weights, plus a held-out file."""
    import torch
    from transformers import AutoModelForCausalLM

    from vibeflow_trainer.demo_data import write_demo_dataset
    from vibeflow_trainer.demo_model import build_model_dir

    root = tmp_path_factory.mktemp("full")
    base = build_model_dir(root / "base", shape=TINY_SHAPE, seed=1)
    tuned = root / "run"
    model = AutoModelForCausalLM.from_pretrained(str(base))
    with torch.no_grad():
        for param in model.parameters():
            param.add_(0.05 * torch.randn_like(param))
    model.save_pretrained(str(tuned))
    return {"base": base, "tuned": tuned, "eval": write_demo_dataset(root / "eval.jsonl", rows=6, seed=3)}


def test_full_fine_tune_evaluation_writes_every_output(full_run: dict[str, Path], tmp_path: Path) -> None:
    quiz = tmp_path / "quiz.jsonl"
    quiz.write_text("".join(GENERAL.read_text().splitlines(keepends=True)[:4]))
    spec = {
        "output_dir": str(tmp_path / "ev"),
        "tuned_path": str(full_run["tuned"]),
        "eval_path": str(full_run["eval"]),
        "base_model": str(full_run["base"]),
        "max_examples": 3,
        "max_new_tokens": 8,
        "general_set_path": str(quiz),
        "eval_id": "ev-test",
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    env = {**os.environ, "PYTHONPATH": str(REPO / "trainer")}
    out = subprocess.run([sys.executable, "-m", "vibeflow_trainer", "evaluate", str(tmp_path / "spec.json")],
                         capture_output=True, text=True, timeout=300, env=env, check=False)  # fmt: skip
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    lines = [
        json.loads(x[len("@@vibeflow@@ ") :])
        for x in out.stdout.splitlines()
        if x.startswith("@@vibeflow@@ ")
    ]
    assert [e["stage"] for e in lines if e["type"] == "stage"][-1] == "completed"
    assert all(e["run_id"] == "ev-test" for e in lines)
    records = [json.loads(x) for x in (tmp_path / "ev/predictions.jsonl").read_text().splitlines()]
    assert len(records) == 3
    for record in records:
        assert record["base"]["output_tokens"] <= 8 and record["tuned"]["output_tokens"] <= 8
        assert record["base"]["ref_tokens"] == record["tuned"]["ref_tokens"] == record["reference_tokens"] > 0
        assert record["base"]["ref_logprob"] != record["tuned"]["ref_logprob"]  # two different models
    result = json.loads((tmp_path / "ev/result.json").read_text())
    assert (
        result["model_kind"] == "full" and result["decoding"] == "greedy" and result["general_questions"] == 4
    )
    import numpy as np

    with np.load(tmp_path / "ev/embeddings.npz") as data:
        # similarity embeds with all-MiniLM-L6-v2 (384 dimensions; installed by setup.sh), not the base model
        assert result["embedding_model"].startswith("all-MiniLM-L6-v2")
        assert data["reference"].shape == data["tuned"].shape == (3, 384)
    quiz_out = json.loads((tmp_path / "ev/forgetting.json").read_text())
    assert len(quiz_out["choice_scores"]["base"]) == 4 and len(quiz_out["choice_scores"]["tuned"][0]) == 4


def test_prompts_use_the_training_chat_template_and_references_end_at_eos(full_run: dict[str, Path]) -> None:
    from transformers import AutoTokenizer

    from vibeflow_trainer.evaluate import compute

    tok = AutoTokenizer.from_pretrained(str(full_run["base"]))
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Where is my order?"},
        {"role": "assistant", "content": "It ships today."},
    ]
    prompt, reference = compute.split_example(messages)
    assert reference == "It ships today." and prompt == messages[:2]
    ids, cut = compute.prompt_ids(tok, prompt, 1024)
    assert not cut and tok.decode(ids).endswith("<|im_start|>assistant\n")
    assert ids == list(
        tok.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True, return_dict=True)[
            "input_ids"
        ]
    )
    target = compute.reference_ids(tok, prompt, reference, ids)
    assert target[-1] == tok.eos_token_id and tok.decode(target[:-1]) == "It ships today."
    short, cut = compute.prompt_ids(tok, prompt, 16)
    assert cut and short == ids[-16:]
