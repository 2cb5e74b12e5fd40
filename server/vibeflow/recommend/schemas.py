"""Pydantic models of every input and output of the recommender/estimator: plain JSON for CLI, HTTP and agents."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Method = Literal["full", "lora", "qlora"]
Priority = Literal["speed", "accuracy", "cost"]
Precision = Literal["auto", "bf16", "fp16", "fp32"]
Target = Literal["local", "cloud"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemoryBreakdown(_Model):
    """Bytes of each part of peak training memory, in GB (1e9 bytes)."""

    weights_gb: float
    lora_params_gb: float
    gradients_gb: float
    optimizer_gb: float
    activations_gb: float
    logits_gb: float
    dequant_overhead_gb: float
    runtime_overhead_gb: float = Field(description="CUDA context / interpreter plus allocator fragmentation")


class DeviceFit(_Model):
    """Whether one device can hold the run, and why (status ok < 85% of memory, tight < 100%, no otherwise)."""

    device: str
    memory_gb: float
    fits: bool
    status: Literal["ok", "tight", "no"]
    usage_pct: float
    reason: str


class MemoryEstimate(_Model):
    model: str
    method: Method
    precision: str
    batch_size: int
    seq_len: int
    gradient_checkpointing: bool
    trainable_params: int
    total_params: int
    total_gb: float
    breakdown: MemoryBreakdown
    fits: list[DeviceFit] = Field(default_factory=list)


class EstimateRequest(_Model):
    """A training configuration to size. Field names follow the run spec / `vibeflow.yaml` training block."""

    base_model: str = Field("vibeflow-demo-tiny", description="catalog id, Hub id or a name with a size (7B)")
    model_params_b: float | None = Field(
        None, gt=0, description="parameter count (billions) for unknown models"
    )
    method: Method = "lora"
    device: str = Field("cpu", description="GPU type (e.g. A100-80GB, L40S) or 'cpu'")
    gpu_count: int = Field(1, ge=1, le=64)
    target: Target | None = Field(
        None, description="local (your machine, $0) or cloud; default: cpu→local, GPU→cloud"
    )
    spot: bool = Field(True, description="price cloud time at spot rates (also shown: on-demand)")
    provider: str | None = Field(
        None, description="price with this provider only (runpod, lambda, aws, modal)"
    )
    n_examples: int = Field(description="training examples (after the train/test split)")
    n_eval_examples: int = Field(0, ge=0)
    avg_tokens_in: float = Field(100.0, description="mean prompt tokens per example (incl. system prompt)")
    avg_tokens_out: float = Field(100.0, description="mean response tokens per example")
    max_tokens: int | None = Field(
        None, description="longest example in tokens (memory peak); default max_seq_length"
    )
    length_cv: float | None = Field(
        None, ge=0, le=5, description="std / mean of example lengths (default 0.5)"
    )
    max_seq_length: int = Field(1024, ge=16)
    num_epochs: float | None = Field(3.0, description="passes over the data (ignored when max_steps is set)")
    max_steps: int | None = Field(None, ge=1)
    batch_size: int = Field(4, ge=1)
    gradient_accumulation: int = Field(2, ge=1)
    lora_r: int = Field(16, ge=1)
    lora_target_modules: list[str] | str = Field(default_factory=lambda: ["q_proj", "v_proj"])
    optimizer: str = "adamw_torch"
    precision: Precision = "auto"
    gradient_checkpointing: bool | Literal["auto"] = "auto"
    checkpoint_every: int = Field(100, ge=1)
    keep_checkpoints: int = Field(3, ge=1)
    eval_every: int | None = Field(None, ge=1)


class TimeBreakdown(_Model):
    provisioning_s: float = 0.0
    startup_s: float = 0.0
    training_s: float = 0.0
    evaluation_s: float = 0.0
    checkpointing_s: float = 0.0


class TimeEstimate(_Model):
    seconds: float
    low_s: float
    high_s: float
    human: str
    breakdown: TimeBreakdown
    tokens_per_s: float
    basis: str = Field(
        description="where the speed comes from: published table, local calibration, past runs"
    )
    correction_factor: float = 1.0
    correction_samples: int = 0


class PriceLine(_Model):
    tier: Literal["spot", "on_demand", "local"]
    provider: str
    usd_per_gpu_hour: float
    compute_usd: float
    low_usd: float
    high_usd: float
    source: str
    as_of: str


class CostEstimate(_Model):
    currency: Literal["USD"] = "USD"
    chosen: PriceLine | None
    on_demand: PriceLine | None
    spot: PriceLine | None
    storage_gb: float
    storage_usd_per_month: float
    total_first_month_usd: float
    price_snapshot: str = Field(description="how old the price snapshot is, stated in every estimate")
    price_snapshot_age_days: int | None = None


class Tip(_Model):
    action: str
    change: dict[str, Any]
    saving_usd: float
    saving_pct: float
    saving_s: float
    new_cost_usd: float
    tradeoff: str


class Confidence(_Model):
    level: Literal["low", "medium", "high"]
    score: float
    reasons: list[str]


class Workload(_Model):
    n_examples: int
    tokens_per_example: float
    steps: int
    micro_steps: int
    epochs: float
    tokens_total: float
    padded_tokens_total: float


class Estimate(_Model):
    request: EstimateRequest
    model: str
    model_name: str
    device: str
    target: Target
    precision: str
    gradient_checkpointing: bool
    workload: Workload
    memory: MemoryEstimate
    time: TimeEstimate
    cost: CostEstimate
    confidence: Confidence
    tips: list[Tip] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)


class RecommendRequest(_Model):
    task: str = Field(description="what the model should do, in plain words")
    n_examples: int = Field(description="how many training examples you have")
    avg_tokens_in: float = Field(150.0)
    avg_tokens_out: float = Field(150.0)
    priority: Priority = "accuracy"
    gpu: str | None = Field(None, description="the GPU you have (or 'cpu'); empty: pick one")
    budget_usd: float | None = Field(None, description="most you want to spend on this run; empty: no limit")
    target: Target | None = Field(None, description="local or cloud; default: cloud unless gpu is cpu")
    commercial_use: bool = Field(False, description="only suggest models whose licence allows commercial use")
    allow_gated: bool = Field(True, description="allow Hub models that need a licence acceptance")


class Hyperparameters(_Model):
    learning_rate: float
    num_epochs: float
    batch_size: int
    gradient_accumulation: int
    max_seq_length: int
    warmup_ratio: float
    weight_decay: float
    lora_r: int | None
    lora_alpha: int | None
    lora_dropout: float | None
    lora_target_modules: list[str] | None
    optimizer: str
    precision: str
    gradient_checkpointing: bool


class Alternative(_Model):
    label: str
    base_model: str
    method: Method
    device: str
    cost_usd: float
    time_s: float
    note: str


class Recommendation(_Model):
    base_model: str
    hf_id: str
    model_name: str
    method: Method
    device: str
    target: Target
    spot: bool
    preset: Literal["conservative", "balanced", "aggressive"]
    hyperparameters: Hyperparameters
    estimate: Estimate
    reasons: list[str]
    warnings: list[str] = Field(default_factory=list)
    alternatives: list[Alternative] = Field(default_factory=list)
    recipe_patch: dict[str, Any] = Field(description="the vibeflow.yaml keys to set for this recommendation")
