"""The event stream contract between the trainer and the backend: prefix, types, fields and exit codes.

Every event is one JSON object on one line. On stdout the line starts with ``EVENT_PREFIX`` (other stdout
lines are library noise and must be ignored); in ``<output_dir>/events.jsonl`` the same object is written
without the prefix. Common fields: ``seq`` (int, strictly increasing for the life of the output_dir, continuing
after a resume), ``ts`` (float, Unix seconds), ``type`` (one of ``EVENT_TYPES``), ``run_id`` (str).

After a resume, ``metrics`` events for steps after the restored checkpoint are emitted again; consumers keep
the latest event per ``step``. A line that does not parse (a write cut by SIGKILL) must be skipped.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

EVENT_PREFIX = "@@vibeflow@@ "
SCHEMA_VERSION = 1

EVENT_TYPES = ("stage", "metrics", "checkpoint", "gradients", "alert", "error")
STAGES = ("preprocessing", "model_loading", "training", "finalizing", "completed", "failed", "stopped")
TERMINAL_STAGES = ("completed", "failed", "stopped")
ERROR_TYPES = (
    "out_of_memory",
    "dataset_format",
    "nan_divergence",
    "model_not_found",
    "cuda_required",
    "disk_full",
    "invalid_spec",
    "unknown",
)
ALERT_KINDS = ("divergence", "overfitting", "plateau", "oom_risk", "gradients", "data", "low_disk")
GRADIENT_FLAGS = ("vanishing", "exploding", "dead")

# Process exit codes of `python -m vibeflow_trainer run` (and `validate`, which uses 0 and 2..5).
EXIT_CODES: dict[int, str] = {
    0: "completed: outputs written",
    1: "failed: unknown error (see the error event)",
    2: "invalid_spec: the run spec or the command line is invalid",
    3: "dataset_format: a dataset file is missing or not in the messages format",
    4: "model_not_found: the base model cannot be found (offline, typo, no access)",
    5: "cuda_required: the chosen method/precision/optimizer needs a CUDA GPU",
    6: "out_of_memory: the run did not fit in GPU or CPU memory",
    7: "nan_divergence: the loss became NaN/inf or diverged",
    8: "disk_full: writing checkpoints or outputs failed for lack of space",
    130: "stopped: SIGINT received; a checkpoint was saved when training had started",
    143: "stopped: SIGTERM received; a checkpoint was saved when training had started",
}
EXIT_STOPPED_SIGTERM = 143
EXIT_STOPPED_SIGINT = 130


class BaseEvent(TypedDict):
    seq: int
    ts: float
    type: str
    run_id: str


class StageEvent(BaseEvent):
    stage: Literal[
        "preprocessing", "model_loading", "training", "finalizing", "completed", "failed", "stopped"
    ]
    # training: resumed_from_step / checkpoint when resuming; completed: output_dir, final_loss, steps;
    # stopped: reason ("sigterm" | "sigint"), step, checkpoint; failed: error_type.
    detail: NotRequired[dict[str, object]]


class MetricsEvent(BaseEvent):
    step: int
    max_steps: int
    epoch: NotRequired[float]
    loss: NotRequired[float]  # training loss (mean over the steps since the last metrics event)
    eval_loss: NotRequired[float]  # present on evaluation events
    learning_rate: NotRequired[float]
    grad_norm: NotRequired[float]  # total norm before clipping
    token_accuracy: NotRequired[float]  # next-token accuracy on assistant tokens
    tokens_per_s: NotRequired[float]  # non-padding tokens per second since the previous metrics event
    samples_per_s: NotRequired[float]
    eta_s: NotRequired[float]
    gpu_mem_used_mb: NotRequired[float]  # CUDA only
    gpu_mem_total_mb: NotRequired[float]
    gpu_util_pct: NotRequired[float]


class CheckpointEvent(BaseEvent):
    step: int
    path: str  # absolute path of the complete checkpoint directory (fsync'd before the event)


class LayerGradientStats(TypedDict):
    name: str  # module name, e.g. "model.layers.0.self_attn.q_proj"
    grad_norm: float  # L2 norm over the module's trainable parameters (after clipping)
    grad_mean: float
    grad_std: float
    update_ratio: float | None  # ||delta W|| / ||W|| of this optimizer step; None when not measured
    flag: Literal["vanishing", "exploding", "dead"] | None


class GradientsEvent(BaseEvent):
    step: int
    layers: list[LayerGradientStats]
    flagged: dict[str, list[str]]  # flag -> module names


class AlertEvent(BaseEvent):
    kind: str  # one of ALERT_KINDS
    message: str
    fix: str
    step: NotRequired[int]


class ErrorEvent(BaseEvent):
    error_type: str  # one of ERROR_TYPES
    message: str
    fix: str
    exit_code: int
