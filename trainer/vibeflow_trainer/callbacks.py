"""The Trainer callback that turns training into events: stage, metrics, checkpoints, alerts and stop requests."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from vibeflow_trainer.checkpoints import seal
from vibeflow_trainer.events import EventWriter
from vibeflow_trainer.hardware import gpu_memory
from vibeflow_trainer.health import HealthMonitor
from vibeflow_trainer.records import MetricsCsv
from vibeflow_trainer.signals import StopRequest

_ETA_SMOOTHING = 0.3


class EventsCallback(TrainerCallback):
    """Emits what the backend shows while training runs; raises DivergenceError through the Trainer."""

    def __init__(
        self,
        events: EventWriter,
        metrics: MetricsCsv,
        stop: StopRequest,
        samples_per_step: int,
        training_detail: dict[str, Any],
        cuda: bool,
    ) -> None:
        self.events = events
        self.metrics = metrics
        self.stop = stop
        self.samples_per_step = samples_per_step
        self.training_detail = training_detail
        self.cuda = cuda
        self.health = HealthMonitor()
        self.last_checkpoint: Path | None = None
        self._last_time = 0.0
        self._last_step = 0
        self._last_tokens = 0.0
        self._step_time: float | None = None

    def alert(self, kind: str, message: str, fix: str, step: int | None = None) -> None:
        fields: dict[str, Any] = {"kind": kind, "message": message, "fix": fix}
        if step is not None:
            fields["step"] = step
        self.events.emit("alert", **fields)

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._last_time, self._last_step = time.perf_counter(), state.global_step
        detail = {**self.training_detail, "max_steps": state.max_steps, "start_step": state.global_step}
        self.events.emit("stage", durable=True, stage="training", detail=detail)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if self.stop.requested:
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        logs = logs or {}
        step = state.global_step
        if "eval_loss" in logs:
            event = {
                "step": step,
                "max_steps": state.max_steps,
                "epoch": state.epoch,
                "eval_loss": logs["eval_loss"],
            }
            self._emit_metrics(event)
            for alert in self.health.observe_eval(step, logs["eval_loss"]):
                self.alert(alert.kind, alert.message, alert.fix, step)
            return
        if "loss" not in logs:
            return  # the end-of-training summary
        now = time.perf_counter()
        steps, elapsed = step - self._last_step, now - self._last_time
        event = {
            "step": step,
            "max_steps": state.max_steps,
            "epoch": state.epoch,
            "loss": logs["loss"],
            "learning_rate": logs.get("learning_rate"),
            "grad_norm": logs.get("grad_norm"),
            "token_accuracy": logs.get("mean_token_accuracy"),
        }
        if steps > 0 and elapsed > 0:
            tokens = float(logs.get("num_tokens", 0.0))
            if tokens >= self._last_tokens:
                event["tokens_per_s"] = round((tokens - self._last_tokens) / elapsed, 1)
            self._last_tokens = tokens
            event["samples_per_s"] = round(steps * self.samples_per_step / elapsed, 2)
            per_step = elapsed / steps
            self._step_time = (
                per_step
                if self._step_time is None
                else _ETA_SMOOTHING * per_step + (1 - _ETA_SMOOTHING) * self._step_time
            )
            event["eta_s"] = round(self._step_time * max(0, state.max_steps - step), 1)
        self._last_time, self._last_step = now, step
        gpu = gpu_memory() if self.cuda else None
        if gpu:
            event.update(gpu)
        self._emit_metrics(event)
        alerts = self.health.observe_train(step, logs["loss"], logs.get("grad_norm"))
        if gpu:
            alerts += self.health.observe_gpu(gpu.get("gpu_mem_used_mb"), gpu.get("gpu_mem_total_mb"))
        for alert in alerts:
            self.alert(alert.kind, alert.message, alert.fix, step)

    def _emit_metrics(self, fields: dict[str, Any]) -> None:
        fields = {k: v for k, v in fields.items() if v is not None}
        event = self.events.emit("metrics", **fields)
        self.metrics.append(event)

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        if not path.is_dir():
            return
        seal(path, state.global_step)
        self.metrics.sync()
        self.last_checkpoint = path.resolve()
        self.events.emit("checkpoint", durable=True, step=state.global_step, path=str(self.last_checkpoint))
        # Time spent saving is not training time: keep it out of the throughput and ETA figures.
        self._last_time = time.perf_counter()
