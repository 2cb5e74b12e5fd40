"""The trainer's event protocol as the backend reads it: line parsing, JSON-safe payloads, metric extraction.

Mirrors `trainer/vibeflow_trainer/event_schema.py` (the contract) without importing the trainer package,
which may live in another environment or on another machine.
"""

from __future__ import annotations

import json
import math
from typing import Any

EVENT_PREFIX = "@@vibeflow@@ "
EVENT_TYPES = frozenset({"stage", "metrics", "checkpoint", "gradients", "alert", "error"})
TERMINAL_STAGES = frozenset({"completed", "failed", "stopped"})
ENVELOPE = frozenset({"seq", "ts", "type", "run_id"})

# Numeric fields of a `metrics` event that become curves (run_metrics rows); `step`/`max_steps` are the axis.
CURVE_FIELDS = (
    "loss",
    "eval_loss",
    "learning_rate",
    "grad_norm",
    "token_accuracy",
    "epoch",
    "tokens_per_s",
    "samples_per_s",
    "eta_s",
    "gpu_mem_used_mb",
    "gpu_mem_total_mb",
    "gpu_util_pct",
)

EXIT_STOPPED = frozenset({130, 143})
EXIT_MEANINGS: dict[int, str] = {
    0: "completed",
    1: "failed: unknown error",
    2: "invalid run spec",
    3: "dataset format error",
    4: "base model not found",
    5: "needs a CUDA GPU",
    6: "out of memory",
    7: "loss became NaN or diverged",
    8: "disk full",
    130: "stopped (SIGINT)",
    143: "stopped (SIGTERM)",
}
EXIT_ERROR_TYPES: dict[int, str] = {
    1: "unknown",
    2: "invalid_spec",
    3: "dataset_format",
    4: "model_not_found",
    5: "cuda_required",
    6: "out_of_memory",
    7: "nan_divergence",
    8: "disk_full",
}


def json_safe(value: Any) -> Any:
    """Replace NaN/inf (valid in the trainer's JSON, invalid in HTTP JSON) with the strings 'NaN'/'Infinity'."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return value


def parse_event(text: str) -> dict[str, Any] | None:
    """One journal line (no prefix) → event dict, or None for a torn or foreign line."""
    try:
        event = json.loads(text)
    except ValueError:
        return None
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("seq"), int)
        or event.get("type") not in EVENT_TYPES
    ):
        return None
    return event


def parse_stdout_line(line: str) -> dict[str, Any] | None:
    """A trainer stdout line → event dict when it carries the prefix; library noise → None."""
    start = line.find(EVENT_PREFIX)
    if start < 0:
        return None
    return parse_event(line[start + len(EVENT_PREFIX) :].strip())


def number(value: Any) -> float | None:
    """A finite float, or None (also for the 'NaN' strings json_safe writes)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def is_nonfinite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    return value in ("NaN", "Infinity", "-Infinity")


def curve_points(event: dict[str, Any]) -> list[tuple[str, float | None]]:
    """(name, value) pairs of a metrics event; non-finite values become None (stored as NULL)."""
    return [(name, number(event[name])) for name in CURVE_FIELDS if name in event]


def payload_of(event: dict[str, Any]) -> dict[str, Any]:
    """The event without its envelope fields, made JSON-safe."""
    return json_safe({key: value for key, value in event.items() if key not in ENVELOPE})


def describe_exit(code: int | None) -> str:
    if code is None:
        return "exit status unknown"
    if code < 0:
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    return EXIT_MEANINGS.get(code, f"exit code {code}")
