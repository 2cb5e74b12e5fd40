"""Watches the metric stream for NaN/divergence (fatal), overfitting, plateaus and OOM risk (alerts)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from vibeflow_trainer.errors import DivergenceError

DIVERGENCE_FACTOR = 3.0  # loss above this multiple of the best loss (and 1 nat above it) ...
DIVERGENCE_PATIENCE = 5  # ... for this many consecutive logs is fatal
PLATEAU_WINDOW = 50  # logged steps without a 1% improvement of the best loss
OOM_RISK_FRACTION = 0.95
_LR_FIX = (
    "lower learning_rate (try ÷10), keep warmup_ratio ≥ 0.03 and max_grad_norm 1.0; prefer bf16 over fp16"
)


@dataclass
class Alert:
    kind: str
    message: str
    fix: str


@dataclass
class HealthMonitor:
    """Feed it every metrics event; it raises DivergenceError or returns alerts (each kind at most once)."""

    best_loss: float = math.inf
    above: int = 0
    since_best: int = 0
    evals: list[tuple[float, float]] = field(default_factory=list)  # (eval_loss, train_loss)
    last_train_loss: float | None = None
    raised: set[str] = field(default_factory=set)

    def _once(self, alert: Alert) -> list[Alert]:
        if alert.kind in self.raised:
            return []
        self.raised.add(alert.kind)
        return [alert]

    def observe_train(self, step: int, loss: float | None, grad_norm: float | None) -> list[Alert]:
        for name, value in (("loss", loss), ("gradient norm", grad_norm)):
            if value is not None and not math.isfinite(value):
                raise DivergenceError(f"the {name} became {value} at step {step}; training diverged", _LR_FIX)
        if loss is None:
            return []
        self.last_train_loss = loss
        alerts: list[Alert] = []
        if loss < self.best_loss * 0.99:
            self.best_loss, self.since_best = loss, 0
        else:
            self.since_best += 1
        if math.isfinite(self.best_loss) and loss > max(
            DIVERGENCE_FACTOR * self.best_loss, self.best_loss + 1.0
        ):
            self.above += 1
            alerts += self._once(
                Alert(
                    "divergence",
                    f"loss {loss:.3g} at step {step} is far above its best {self.best_loss:.3g}",
                    _LR_FIX,
                )
            )
            if self.above >= DIVERGENCE_PATIENCE:
                raise DivergenceError(
                    f"the loss diverged: {loss:.3g} at step {step}, more than {DIVERGENCE_FACTOR:g}× its best "
                    f"{self.best_loss:.3g} for {self.above} consecutive logs",
                    _LR_FIX,
                )
        else:
            self.above = 0
        if self.since_best >= PLATEAU_WINDOW:
            alerts += self._once(
                Alert(
                    "plateau",
                    f"the loss has not improved for {self.since_best} logged steps",
                    "the model may have learned what it can: stop early, or raise learning_rate / lora_r",
                )
            )
        return alerts

    def observe_eval(self, step: int, eval_loss: float | None) -> list[Alert]:
        if eval_loss is None or self.last_train_loss is None:
            return []
        if not math.isfinite(eval_loss):
            raise DivergenceError(f"the eval loss became {eval_loss} at step {step}", _LR_FIX)
        self.evals.append((eval_loss, self.last_train_loss))
        if len(self.evals) >= 3:
            (e1, t1), (e2, t2), (e3, t3) = self.evals[-3:]
            if e3 > e2 > e1 and t3 < t1:
                return self._once(
                    Alert(
                        "overfitting",
                        f"eval loss rose for two evaluations ({e1:.3g} → {e3:.3g}) while training loss fell",
                        "stop at the best checkpoint, use fewer epochs, more data, or a lower learning_rate",
                    )
                )
        return []

    def observe_gpu(self, used_mb: float | None, total_mb: float | None) -> list[Alert]:
        if not used_mb or not total_mb or used_mb / total_mb < OOM_RISK_FRACTION:
            return []
        return self._once(
            Alert(
                "oom_risk",
                f"GPU memory is {used_mb / total_mb:.0%} full ({used_mb:.0f}/{total_mb:.0f} MiB)",
                "lower batch_size (raise gradient_accumulation), lower max_seq_length, or use QLoRA",
            )
        )
