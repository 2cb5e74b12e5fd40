"""Writes a commented starter `vibeflow.yaml`: every knob visible, preset values shown but left to the preset."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from vibeflow.recipe.loader import RECIPE_FILE, RecipeError, parse_recipe
from vibeflow.recipe.model import DEFAULT_BASE_MODEL, DEFAULT_FIXES
from vibeflow.recipe.presets import PRESET_NOTES, PRESETS


def yaml_number(value: float | int) -> str:
    """A YAML number every loader reads as a number (PyYAML reads 2e-4 as a string; 2.0e-4 is a float)."""
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1:
        return str(int(value))
    if abs(value) < 1e-3:
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:g}"


def render_recipe(name: str, preset: str = "balanced", data_path: str | None = None) -> str:
    values = PRESETS[preset]
    if data_path and not re.fullmatch(r"[\w./-]+", data_path):
        data_path = json.dumps(data_path)
    data_line = (
        f"  path: {data_path}"
        if data_path
        else "  path: data/train.jsonl   # CSV, TSV, JSON, JSONL or Parquet"
    )
    return f"""\
# yaml-language-server: $schema=https://vibeflow.dev/schemas/vibeflow.schema.json
# VibeFlow training recipe. Reference: docs/runs.md. Start training with `vibeflow train`.
name: {name}
base_model: {DEFAULT_BASE_MODEL}   # SmolLM2-135M-Instruct, offline (no download); any Hub id or model directory works
method: lora             # lora | qlora (CUDA only) | full
preset: {preset}   # conservative | balanced | aggressive — {PRESET_NOTES[preset]}

data:
{data_line}
  # version: support@3     # or a stored dataset version instead of a file (see `vibeflow data list`)
  # input_column: question  # detected automatically when empty
  # output_column: answer
  fixes: [{", ".join(DEFAULT_FIXES)}]
  test_split: 0.2          # held out for evaluation
  seed: 42

# Empty fields take the preset's value; the commented values are what `{preset}` uses.
training:
  # learning_rate: {yaml_number(values["learning_rate"])}
  # num_epochs: {values["num_epochs"]}
  # max_steps: 50          # stop early (overrides num_epochs), handy for a smoke test
  # batch_size: {values["batch_size"]}
  # gradient_accumulation: {values["gradient_accumulation"]}
  # warmup_ratio: {values["warmup_ratio"]}
  # weight_decay: {values["weight_decay"]}
  # optimizer: {values["optimizer"]}
  # lr_scheduler: {values["lr_scheduler"]}
  # max_grad_norm: {values["max_grad_norm"]}
  # precision: {values["precision"]}     # auto | fp32 | fp16 | bf16
  # max_seq_length: {values["max_seq_length"]}
  # seed: {values["seed"]}
  # lora:
  #   r: {values["lora_r"]}
  #   alpha: {values["lora_alpha"]}
  #   dropout: {values["lora_dropout"]}
  #   target_modules: {values["lora_target_modules"]}   # or all-linear, or [q_proj, v_proj]
  checkpoint_every: {values["checkpoint_every"]}   # steps between checkpoints (resume and stop use the latest)
  keep_checkpoints: {values["keep_checkpoints"]}
  # eval_every: 100        # empty: at every checkpoint
  # gradient_stats_every: {values["gradient_stats_every"]}  # per-layer gradient stats (0 = off)

compute:
  target: local            # local | cloud (SkyPilot)
  # gpu: A100-80GB         # cloud GPU type
  # spot: true

budget:
  # max_cost_usd: 20
  # max_hours: 4
"""


def default_name(folder: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", folder.resolve().name).strip("-.") or "my-model"


def write_recipe(
    folder: Path, *, preset: str = "balanced", data: Path | None = None, name: str | None = None
) -> Path:
    """Write `vibeflow.yaml` into `folder`; refuses to overwrite an existing file."""
    target = folder / RECIPE_FILE
    if target.exists():
        raise RecipeError(
            f"{target} already exists", fix="edit it, or delete it first to start over", file=str(target)
        )
    data_path = None
    if data is not None:
        if not data.is_file():
            raise RecipeError(
                f"no such data file: {data}",
                fix="pass an existing CSV/TSV/JSON/JSONL/Parquet file",
                file=str(data),
            )
        data_path = os.path.relpath(data.resolve(), folder.resolve())
    text = render_recipe(name or default_name(folder), preset, data_path)
    parse_recipe(text, str(target))  # the starter must itself be valid
    folder.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:  # "x": never clobber a file created meanwhile
        handle.write(text)
    return target
