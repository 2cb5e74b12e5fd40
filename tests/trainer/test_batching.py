"""Padding-free batches train exactly like padded ones (logits, loss, gradients, assistant-only labels, whole
runs), the trainer uses them with per-example attention, models that would attend across examples stay
padded, and the LM head scored at labels only gives the same loss."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM
from trl import SFTTrainer
from trl.trainer import utils as trl_utils
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

from vibeflow_trainer.batching import VARLEN, labels_only_lm_head, packs_correctly, use_padding_free
from vibeflow_trainer.chat_format import build_dataset, prepare_chat_template
from vibeflow_trainer.demo_data import make_conversations
from vibeflow_trainer.models import ResolvedModel, load_tokenizer, lora_config
from vibeflow_trainer.sft_args import build_sft_config
from vibeflow_trainer.spec import RunSpec


def _trainer(tiny_model: Path, tmp_path: Path, attn: str = "sdpa", steps: int = 3) -> tuple[SFTTrainer, Any]:
    spec = RunSpec(
        train_path="unused",
        output_dir=str(tmp_path),
        base_model=str(tiny_model),
        batch_size=4,
        max_steps=steps,
        max_seq_length=128,
        learning_rate=5e-3,
        lora_dropout=0.0,  # dropout masks depend on the tensor shape, so only without it are the runs equal
        checkpoint_every=100,
        seed=3,
    )
    tokenizer = load_tokenizer(ResolvedModel(spec.base_model, str(tiny_model), False, True))
    setup = prepare_chat_template(tokenizer)
    model = AutoModelForCausalLM.from_pretrained(
        str(tiny_model), dtype=torch.float32, attn_implementation=attn
    )
    config = build_sft_config(spec, "fp32", tmp_path / "checkpoints", setup.assistant_only_loss, False)
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=build_dataset(make_conversations(24, seed=5), tokenizer, setup),
        processing_class=tokenizer,
        peft_config=lora_config(spec),
    )
    return trainer, model


def _rows(trainer: SFTTrainer, n: int = 4) -> list[dict[str, list[int]]]:
    return [{k: trainer.train_dataset[i][k] for k in ("input_ids", "labels")} for i in range(n)]


def _loss_and_grads(trainer: SFTTrainer, batch: dict[str, Any]) -> tuple[float, torch.Tensor]:
    model = trainer.model
    model.train()
    model.zero_grad()
    loss = trainer.compute_loss(model, dict(batch))
    loss.backward()
    return loss.item(), torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None])


@pytest.mark.parametrize("attn", ["sdpa", "eager", "varlen"])  # dense block-diagonal masks, and ours
def test_a_padding_free_batch_equals_the_padded_batch(tiny_model: Path, tmp_path: Path, attn: str) -> None:
    trainer, model = _trainer(tiny_model, tmp_path, "sdpa" if attn == "varlen" else attn)
    if attn == "varlen":
        assert (
            use_padding_free(trainer, model) == "padding_free" and model.config._attn_implementation == VARLEN
        )
    rows = _rows(trainer)
    lengths = [len(r["input_ids"]) for r in rows]
    assert len(set(lengths)) > 1  # the padded batch really has padding
    padded = DataCollatorForLanguageModeling(pad_token_id=trainer.processing_class.pad_token_id)(rows)
    flat = DataCollatorForLanguageModeling(pad_token_id=0, padding_free=True)(rows)
    assert flat["input_ids"].shape == (1, sum(lengths)) and "attention_mask" not in flat

    # assistant-only labels survive flattening unchanged (prompt tokens stay -100)
    unpadded = torch.cat([padded["labels"][i, :n] for i, n in enumerate(lengths)])
    assert torch.equal(flat["labels"][0], unpadded)
    assert (unpadded == -100).sum() > len(rows) and (unpadded != -100).sum() > 0

    model.eval()
    with torch.no_grad():
        logits_padded = model(input_ids=padded["input_ids"], attention_mask=padded["attention_mask"]).logits
        inputs = {k: v for k, v in flat.items() if k != "labels"}
        logits_flat = model(**inputs).logits[0]
        leaking = model(input_ids=flat["input_ids"]).logits[0]  # one long sequence: attends across examples
    per_example = torch.cat([logits_padded[i, :n] for i, n in enumerate(lengths)])
    assert torch.allclose(logits_flat, per_example, atol=1e-4)
    assert not torch.allclose(leaking, per_example, atol=1e-2)  # the check above can fail

    (loss_padded, grads_padded), (loss_flat, grads_flat) = (
        _loss_and_grads(trainer, padded),
        _loss_and_grads(trainer, flat),
    )
    assert loss_padded == pytest.approx(loss_flat, abs=1e-5)
    assert torch.allclose(grads_padded, grads_flat, atol=1e-6)


def test_training_padding_free_gives_the_padded_loss_curve(tiny_model: Path, tmp_path: Path) -> None:
    curves = []
    for name in ("padded", "padding_free"):
        trainer, model = _trainer(tiny_model, tmp_path / name, steps=4)
        if name == "padding_free":
            assert use_padding_free(trainer, model) == name
            with labels_only_lm_head():
                trainer.train()
        else:
            trainer.train()
        curves.append([h["loss"] for h in trainer.state.log_history if "loss" in h])
    assert len(curves[0]) == 4 and curves[0] == pytest.approx(curves[1], abs=1e-4)


def test_the_trainer_collates_padding_free(tiny_model: Path, tmp_path: Path) -> None:
    trainer, model = _trainer(tiny_model, tmp_path)
    assert use_padding_free(trainer, model) == "padding_free"
    assert trainer.data_collator.padding_free
    batch = next(iter(trainer.get_train_dataloader()))
    assert batch["input_ids"].shape[0] == 1 and "cu_seq_lens_q" in batch and "attention_mask" not in batch


def test_eager_attention_stays_padded(tiny_model: Path, tmp_path: Path) -> None:
    trainer, model = _trainer(tiny_model, tmp_path, "eager")
    assert use_padding_free(trainer, model) == "padded" and not trainer.data_collator.padding_free


class _IgnoresBoundaries(torch.nn.Module):
    """A model that reads only input_ids (as an attention blind to position_ids and boundaries would)."""

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.inner = inner
        self.config = inner.config

    def forward(self, input_ids: torch.Tensor, **kwargs: Any) -> Any:
        return self.inner(input_ids=input_ids)

    def set_attn_implementation(self, name: str) -> None:
        self.inner.set_attn_implementation(name)


def test_a_model_that_attends_across_examples_stays_padded(tiny_model: Path, tmp_path: Path) -> None:
    trainer, model = _trainer(tiny_model, tmp_path)
    flat = DataCollatorForLanguageModeling(pad_token_id=0, padding_free=True)
    model.train()
    assert packs_correctly(model, flat) and model.training  # the probe restores train mode
    assert not packs_correctly(_IgnoresBoundaries(model), flat)
    model.set_attn_implementation("sdpa")
    padded = trainer.data_collator
    assert use_padding_free(trainer, _IgnoresBoundaries(model)) == "padded"
    assert trainer.data_collator is padded and model.config._attn_implementation == "sdpa"


def test_the_lm_head_scores_only_labels_on_cpu_within_training(tiny_model: Path, tmp_path: Path) -> None:
    trainer, model = _trainer(tiny_model, tmp_path)
    cpu = torch.device("cpu")
    assert not trl_utils._use_triton(cpu)  # trl scores every position on CPU by default
    batch = DataCollatorForLanguageModeling(pad_token_id=0)(_rows(trainer))
    everywhere = _loss_and_grads(trainer, batch)
    with labels_only_lm_head():
        assert trl_utils._use_triton(cpu)
        at_labels = _loss_and_grads(trainer, batch)
    assert not trl_utils._use_triton(cpu)
    assert everywhere[0] == pytest.approx(at_labels[0], abs=1e-5)
    assert torch.allclose(everywhere[1], at_labels[1], atol=1e-6)


def test_sliding_window_attention_beyond_its_window_stays_padded() -> None:
    from transformers import MistralConfig, MistralForCausalLM

    shape = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2}
    config = MistralConfig(vocab_size=64, num_key_value_heads=1, sliding_window=16, **shape)
    config._attn_implementation = "sdpa"
    model = MistralForCausalLM(config)
    trainer = SimpleNamespace(
        data_collator=DataCollatorForLanguageModeling(pad_token_id=0), args=SimpleNamespace()
    )
    trainer.args.max_length = 128  # examples longer than the window: per-example causal sdpa would be wrong
    assert use_padding_free(trainer, model) == "padded"
    trainer.args.max_length = 16
    assert use_padding_free(trainer, model) == "padding_free" and trainer.data_collator.padding_free
