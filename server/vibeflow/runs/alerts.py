"""Backend alert rules over a run's metric stream: each alert names the problem, the fix and a retry change.

Rules (thresholds are the product documents' numbers): loss rising for 5 logged steps, NaN/inf loss,
eval loss rising while train loss falls (overfitting), a plateau, GPU memory above 95%, and a tiny dataset
trained for many epochs. Each code fires at most once per run; the rules are pure and keep no I/O.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from vibeflow.runs.events import is_nonfinite, number

LOSS_RISING_STEPS = 5
PLATEAU_WINDOW = 20
PLATEAU_MIN_IMPROVEMENT = 0.01
OVERFIT_EVALS = 2
GPU_MEMORY_LIMIT = 0.95
TINY_DATASET_ROWS = 300
MANY_EPOCHS = 4


@dataclass
class Alert:
    """A backend alert; `changes` maps recipe fields (dotted) to the values a retry would use."""

    code: str
    severity: str  # info | warning | error
    message: str
    fix: str
    step: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "kind": self.code,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
            "step": self.step,
            "changes": self.changes,
            "source": "backend",
        }


@dataclass
class AlertRules:
    """Stateful checks for one run; feed it every metrics event in order."""

    hyper: dict[str, Any]
    train_rows: int | None = None
    fired: set[str] = field(default_factory=set)
    _losses: deque[float] = field(default_factory=lambda: deque(maxlen=PLATEAU_WINDOW))
    _rising: int = 0
    _evals: list[tuple[float, float | None]] = field(default_factory=list)  # (eval_loss, train loss then)
    _last_loss: float | None = None

    def _emit(self, alert: Alert, out: list[Alert]) -> None:
        if alert.code not in self.fired:
            self.fired.add(alert.code)
            out.append(alert)

    def on_start(self) -> list[Alert]:
        """Checks that need only the recipe and the data size (run before the first step)."""
        out: list[Alert] = []
        epochs = self.hyper.get("num_epochs") or 0
        if (
            self.train_rows is not None
            and self.train_rows < TINY_DATASET_ROWS
            and epochs >= MANY_EPOCHS
            and not self.hyper.get("max_steps")
        ):
            self._emit(
                Alert(
                    "tiny_dataset",
                    "warning",
                    f"Your dataset is small ({self.train_rows:,} examples) for {epochs:g} epochs: the model may "
                    "memorise it (overfitting).",
                    "reduce num_epochs to 2, or add more examples",
                    changes={"training.num_epochs": 2},
                ),
                out,
            )
        return out

    def on_metrics(self, event: dict[str, Any]) -> list[Alert]:
        out: list[Alert] = []
        step = event.get("step")
        raw_loss = event.get("loss")
        lr = self.hyper.get("learning_rate") or 0.0
        if _nonfinite(event, "loss") or _nonfinite(event, "grad_norm"):
            self._emit(
                Alert(
                    "nan_loss",
                    "error",
                    f"The loss became NaN/inf at step {step}: training diverged.",
                    "lower learning_rate to 30% (retry applies it); check the data for empty or huge examples",
                    step,
                    {"training.learning_rate": _round(lr * 0.3)},
                ),
                out,
            )
        loss = number(raw_loss)
        if loss is not None:
            self._check_loss(loss, step, lr, out)
        eval_loss = number(event.get("eval_loss"))
        if eval_loss is not None:
            self._check_overfit(eval_loss, step, out)
        self._check_memory(event, step, out)
        return out

    def _check_loss(self, loss: float, step: int | None, lr: float, out: list[Alert]) -> None:
        if self._last_loss is not None:
            self._rising = self._rising + 1 if loss > self._last_loss else 0
        self._last_loss = loss
        self._losses.append(loss)
        if self._rising >= LOSS_RISING_STEPS:
            self._emit(
                Alert(
                    "loss_increasing",
                    "warning",
                    f"Loss increasing for {self._rising} steps (now {loss:.4g}).",
                    "consider a lower learning_rate (retry halves it)",
                    step,
                    {"training.learning_rate": _round(lr * 0.5)},
                ),
                out,
            )
        if len(self._losses) == PLATEAU_WINDOW:
            half = PLATEAU_WINDOW // 2
            window = list(self._losses)
            before = sum(window[:half]) / half
            after = sum(window[half:]) / half
            if before > 0 and (before - after) / before < PLATEAU_MIN_IMPROVEMENT and self._rising == 0:
                self._emit(
                    Alert(
                        "plateau",
                        "info",
                        f"Loss has plateaued around {after:.4g} for the last {PLATEAU_WINDOW} logged steps.",
                        "training has likely converged: stop early, or raise learning_rate if it is still high",
                        step,
                    ),
                    out,
                )

    def _check_overfit(self, eval_loss: float, step: int | None, out: list[Alert]) -> None:
        self._evals.append((eval_loss, self._last_loss))
        recent = self._evals[-(OVERFIT_EVALS + 1) :]
        if len(recent) <= OVERFIT_EVALS:
            return
        eval_rising = all(b[0] > a[0] for a, b in zip(recent, recent[1:], strict=False))
        trains = [t for _, t in recent]
        train_falling = None not in trains and all(b < a for a, b in zip(trains, trains[1:], strict=False))  # type: ignore[operator]
        if eval_rising and train_falling:
            epochs = self.hyper.get("num_epochs") or 1
            self._emit(
                Alert(
                    "overfitting",
                    "warning",
                    f"Eval loss is rising ({recent[0][0]:.4g} → {eval_loss:.4g}) while train loss falls: "
                    "the model is memorising the training set.",
                    "use fewer epochs (the latest good checkpoint is kept), more data, or a lower LoRA rank",
                    step,
                    {"training.num_epochs": max(1, math.floor(epochs) - 1)},
                ),
                out,
            )

    def _check_memory(self, event: dict[str, Any], step: int | None, out: list[Alert]) -> None:
        used, total = number(event.get("gpu_mem_used_mb")), number(event.get("gpu_mem_total_mb"))
        if used is None or not total:
            return
        if used / total > GPU_MEMORY_LIMIT:
            batch = self.hyper.get("batch_size") or 1
            accumulation = self.hyper.get("gradient_accumulation") or 1
            self._emit(
                Alert(
                    "gpu_memory",
                    "warning",
                    f"GPU memory at {used / total:.0%}. The run may crash (out of memory).",
                    "reduce batch_size (retry halves it and doubles gradient_accumulation)",
                    step,
                    {
                        "training.batch_size": max(1, batch // 2),
                        "training.gradient_accumulation": accumulation * 2,
                    },
                ),
                out,
            )


def _nonfinite(event: dict[str, Any], key: str) -> bool:
    # The trainer writes NaN/inf as null (JSON has no NaN): a present-but-null value means non-finite.
    return key in event and (event[key] is None or is_nonfinite(event[key]))


def _round(value: float) -> float:
    return float(f"{value:.3g}")
