"""Translates a RunSpec into trl's SFTConfig (shared by the trainer and the benchmark's bare-trl baseline)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from vibeflow_trainer.spec import RunSpec


def build_sft_config(
    spec: RunSpec,
    precision: str,
    checkpoint_dir: Path,
    assistant_only_loss: bool,
    gradient_checkpointing: bool,
) -> Any:
    from trl import SFTConfig

    eval_every = spec.effective_eval_every
    names = {f.name for f in dataclasses.fields(SFTConfig)}
    # transformers 5.x renamed gradient_checkpointing to activation_checkpointing (the old name warns).
    checkpointing = (
        "activation_checkpointing" if "activation_checkpointing" in names else "gradient_checkpointing"
    )
    return SFTConfig(
        output_dir=str(checkpoint_dir),
        per_device_train_batch_size=spec.batch_size,
        per_device_eval_batch_size=spec.batch_size,
        gradient_accumulation_steps=spec.gradient_accumulation,
        learning_rate=spec.learning_rate,
        num_train_epochs=float(spec.num_epochs or 1.0),
        max_steps=spec.max_steps or -1,
        warmup_steps=float(spec.warmup_ratio),  # a float in [0, 1) is a ratio of the total steps
        weight_decay=spec.weight_decay,
        optim=spec.optimizer,
        lr_scheduler_type=spec.lr_scheduler,
        max_grad_norm=spec.max_grad_norm,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        **{checkpointing: gradient_checkpointing},
        logging_strategy="steps",
        logging_steps=spec.log_every,
        logging_nan_inf_filter=False,  # a NaN loss must reach the divergence check, not be averaged away
        save_strategy="steps",
        save_steps=spec.checkpoint_every,
        save_total_limit=spec.keep_checkpoints,
        eval_strategy="steps" if eval_every else "no",
        eval_steps=eval_every,
        seed=spec.seed,
        data_seed=spec.seed,
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
        dataloader_pin_memory=_cuda(),
        max_length=spec.max_seq_length,
        assistant_only_loss=assistant_only_loss,
        packing=False,
        dataset_num_proc=None,
    )


def _cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())
