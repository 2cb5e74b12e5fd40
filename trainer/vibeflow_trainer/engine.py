"""Runs one training job end to end: stages, resume, trl SFTTrainer, graceful stop, outputs and error events."""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import time
from pathlib import Path
from typing import IO, Any

from vibeflow_trainer import __version__
from vibeflow_trainer.checkpoints import checkpoint_step, checkpoints_dir, discard_incomplete, resolve_resume
from vibeflow_trainer.data import LoadedDataset, file_sha256, load_conversations
from vibeflow_trainer.demo_model import DEMO_NOTE, DEMO_SEED
from vibeflow_trainer.errors import InvalidSpecError, TrainerError, classify
from vibeflow_trainer.events import EventWriter
from vibeflow_trainer.records import MetricsCsv, git_state, package_versions, write_manifest
from vibeflow_trainer.signals import StopRequest
from vibeflow_trainer.spec import RunSpec

LOW_DISK_BYTES = 1 << 30


class _Stopped(Exception):
    """Raised between stages when a stop was requested before training began."""


class Run:
    """One invocation of `vibeflow_trainer run`: owns the event writer, records and the stop request."""

    def __init__(
        self,
        spec: RunSpec,
        resume: str = "auto",
        stream: IO[str] | None = None,
        extra_callbacks: list[Any] | None = None,
    ) -> None:
        self.spec = spec
        self.extra_callbacks = list(extra_callbacks or [])
        self.trainer: Any = None
        self.resume_mode = resume
        self.stream = stream
        self.out = Path(spec.output_dir).expanduser().resolve()
        self.events = EventWriter(None, spec.run_id, stream)
        self.stop = StopRequest()
        self.metrics: MetricsCsv | None = None
        self.manifest: dict[str, Any] = {}
        self.checkpoint: Path | None = None
        self.step = 0
        self.eval_total = 0

    # -- public -------------------------------------------------------------------------------------------
    def execute(self) -> int:
        """Run and return the process exit code (see event_schema.EXIT_CODES); never raises."""
        self.stop.install()
        try:
            self._prepare_output_dir()
            return self._train()
        except _Stopped:
            return self._stopped()
        except KeyboardInterrupt:  # only when the handler could not be installed (not the main thread)
            self.stop.signum = self.stop.signum or signal.SIGINT
            return self._stopped()
        except Exception as exc:  # noqa: BLE001 - every failure becomes an error event + exit code
            return self._failed(classify(exc))
        finally:
            self.stop.restore()
            for closer in (self.metrics.close if self.metrics else None, self.events.close):
                with contextlib.suppress(OSError):
                    if closer:
                        closer()

    # -- stages -------------------------------------------------------------------------------------------
    def _prepare_output_dir(self) -> None:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            probe = self.out / ".vibeflow-write-test"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except PermissionError as exc:
            raise InvalidSpecError(
                f"output_dir {self.out} is not writable: {exc}", "choose an output_dir you can write to"
            ) from exc
        self.events = EventWriter(self.out / "events.jsonl", self.spec.run_id, self.stream)

    def _check_stop(self) -> None:
        if self.stop.requested:
            raise _Stopped

    def _train(self) -> int:
        spec = self.spec
        self.events.emit("stage", durable=True, stage="preprocessing")
        from vibeflow_trainer.hardware import check_environment

        precision = check_environment(spec)
        train = load_conversations(spec.train_path, "train_path")
        evals = load_conversations(spec.eval_path, "eval_path") if spec.eval_path else None
        self._check_data(train, evals)
        self.eval_total = len(evals) if evals else 0
        evals = _bounded(evals, spec.eval_max_rows, spec.seed)
        resume_from = resolve_resume(self.resume_mode, self.out)
        for path in discard_incomplete(checkpoints_dir(self.out)):
            self.events.emit(
                "alert", kind="data", message=f"removed incomplete checkpoint {path.name}", fix=""
            )
        start_step = checkpoint_step(resume_from) if resume_from else 0
        self.metrics = MetricsCsv(
            self.out / "metrics.csv", keep_through_step=start_step if resume_from else None
        )
        self._write_start_manifest(train, evals, precision, resume_from)
        self._check_stop()

        from vibeflow_trainer.smollm2 import build_note

        loading = {"base_model": spec.base_model, "method": spec.method}
        note = build_note(spec.base_model)
        self.events.emit("stage", durable=True, stage="model_loading", detail={**loading, **note})
        trainer, callback, setup, resolved = self._build_trainer(train, evals, precision)
        self._check_stop()

        from vibeflow_trainer.batching import labels_only_lm_head

        with labels_only_lm_head():
            trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
        self.step = trainer.state.global_step
        self.checkpoint = callback.last_checkpoint
        if self.stop.requested:
            return self._stopped()

        self.events.emit("stage", durable=True, stage="finalizing")
        self._save_outputs(trainer, resolved)
        final_loss = next((h["loss"] for h in reversed(trainer.state.log_history) if "loss" in h), None)
        self.manifest.update(
            status="completed",
            finished_at=time.time(),
            steps=self.step,
            final_loss=final_loss,
            chat_format=setup.mode,
        )
        write_manifest(self.out / "manifest.json", self.manifest)
        detail = {"output_dir": str(self.out), "steps": self.step, "final_loss": final_loss}
        self.events.emit("stage", durable=True, stage="completed", detail=detail)
        return 0

    def _check_data(self, train: LoadedDataset, evals: LoadedDataset | None) -> None:
        spec = self.spec
        if spec.batch_size > len(train):
            raise InvalidSpecError(
                f"batch_size {spec.batch_size} is larger than the training set ({len(train)} conversations)",
                f"set batch_size to at most {len(train)} or add more training data",
            )
        for loaded in (train, evals):
            if loaded and loaded.skipped_rows:
                rows = ", ".join(str(r) for r in loaded.skipped_rows[:10])
                self.events.emit(
                    "alert",
                    kind="data",
                    message=f"{len(loaded.skipped_rows)} row(s) of {loaded.path.name} have no assistant turn and "
                    f"were skipped (rows {rows}{', …' if len(loaded.skipped_rows) > 10 else ''})",
                    fix="add the missing assistant replies or drop those rows in the data report",
                )
        free = shutil.disk_usage(self.out).free
        if free < LOW_DISK_BYTES:
            self.events.emit(
                "alert",
                kind="low_disk",
                message=f"only {free / 2**20:.0f} MiB free in {self.out}",
                fix="free disk space before checkpoints fill it, or lower keep_checkpoints",
            )

    def _build_trainer(self, train: LoadedDataset, evals: LoadedDataset | None, precision: str) -> tuple:
        import torch
        from transformers import PrinterCallback
        from trl import SFTTrainer

        from vibeflow_trainer.batching import use_padding_free
        from vibeflow_trainer.callbacks import EventsCallback
        from vibeflow_trainer.chat_format import build_dataset, prepare_chat_template
        from vibeflow_trainer.gradients import GradientMonitor
        from vibeflow_trainer.models import (
            load_model,
            load_tokenizer,
            lora_config,
            resolve_base_model,
            use_gradient_checkpointing,
        )
        from vibeflow_trainer.sft_args import build_sft_config

        spec = self.spec
        resolved = resolve_base_model(spec.base_model)
        if resolved.is_demo:
            self.events.emit(
                "alert",
                kind="demo_base",
                message=DEMO_NOTE.format(seed=DEMO_SEED),
                fix="pick a real base model (a Hub id or a local directory) for a useful model",
            )
        tokenizer = load_tokenizer(resolved)
        setup = prepare_chat_template(tokenizer)
        model = load_model(resolved, spec, precision)
        gradient_checkpointing = use_gradient_checkpointing(spec)
        config = build_sft_config(
            spec, precision, checkpoints_dir(self.out), setup.assistant_only_loss, gradient_checkpointing
        )
        train_ds = build_dataset(train.conversations, tokenizer, setup)
        eval_ds = build_dataset(evals.conversations, tokenizer, setup) if evals else None
        cuda = torch.cuda.is_available()
        detail = {
            "base_model": spec.base_model,
            "base_model_path": resolved.source,
            "demo_base": resolved.is_demo,
            "method": spec.method,
            "precision": precision,
            "chat_format": setup.mode,
            "train_rows": len(train),
            "eval_rows": len(evals) if evals else 0,
            "eval_rows_held_out": self.eval_total,
        }
        callback = EventsCallback(
            self.events, self.metrics, self.stop, spec.batch_size * spec.gradient_accumulation, detail, cuda
        )
        gradient_monitor = GradientMonitor(spec.gradient_stats_every, self.events.emit, callback.alert)
        trainer = SFTTrainer(
            model=model,
            args=config,
            train_dataset=train_ds,
            eval_dataset=eval_ds,
            processing_class=tokenizer,
            peft_config=lora_config(spec) if spec.method in ("lora", "qlora") else None,
            callbacks=[callback, gradient_monitor, *self.extra_callbacks],
        )
        self.trainer = trainer
        trainer.remove_callback(PrinterCallback)  # our events replace its stdout dicts
        detail["batching"] = use_padding_free(trainer, model)
        trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
        total = sum(p.numel() for p in trainer.model.parameters())
        detail.update(trainable_params=trainable, total_params=total)
        self.manifest.update(
            base_model_path=resolved.source, demo_base=resolved.is_demo, chat_format=setup.mode
        )
        self.manifest.update(
            trainable_params=trainable, total_params=total, precision=precision, batching=detail["batching"]
        )
        write_manifest(self.out / "manifest.json", self.manifest)
        return trainer, callback, setup, resolved

    def _save_outputs(self, trainer: Any, resolved: Any) -> None:
        trainer.save_model(str(self.out))
        tokenizer = trainer.processing_class
        tokenizer.save_pretrained(str(self.out))
        generation = getattr(trainer.model, "generation_config", None)
        if generation is not None:
            eos = generation.eos_token_id
            eos_ids = [] if eos is None else [eos] if isinstance(eos, int) else list(eos)
            if tokenizer.eos_token_id not in eos_ids:
                eos_ids.insert(0, tokenizer.eos_token_id)
            generation.eos_token_id = eos_ids[0] if len(eos_ids) == 1 else eos_ids
            generation.pad_token_id = tokenizer.pad_token_id
            generation.save_pretrained(str(self.out))
        adapter_config = self.out / "adapter_config.json"
        if adapter_config.is_file():
            data = json.loads(adapter_config.read_text(encoding="utf-8"))
            if not data.get("base_model_name_or_path"):
                data["base_model_name_or_path"] = resolved.source
                adapter_config.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    def _write_start_manifest(
        self, train: LoadedDataset, evals: LoadedDataset | None, precision: str, resume_from: Path | None
    ) -> None:
        from vibeflow_trainer.hardware import hardware_summary

        path = self.out / "manifest.json"
        previous = json.loads(path.read_text(encoding="utf-8")) if path.is_file() and resume_from else {}
        attempts = list(previous.get("attempts", []))
        attempts.append(
            {"started_at": time.time(), "resumed_from": str(resume_from) if resume_from else None}
        )
        self.manifest = {
            "run_id": self.spec.run_id,
            "status": "running",
            "trainer_version": __version__,
            "spec": self.spec.to_dict(),
            "dataset": {
                "dataset_hash": self.spec.dataset_hash,
                "train_sha256": file_sha256(train.path),
                "eval_sha256": file_sha256(evals.path) if evals else None,
                "train_rows": len(train),
                "eval_rows": len(evals) if evals else 0,
                "skipped_rows": len(train.skipped_rows) + (len(evals.skipped_rows) if evals else 0),
            },
            "precision": precision,
            "versions": package_versions(),
            "git": git_state(),
            "hardware": hardware_summary(),
            "started_at": previous.get("started_at", attempts[-1]["started_at"]),
            "attempts": attempts,
        }
        write_manifest(path, self.manifest)

    # -- endings ------------------------------------------------------------------------------------------
    def _stopped(self) -> int:
        detail = {
            "reason": self.stop.reason,
            "step": self.step,
            "checkpoint": str(self.checkpoint) if self.checkpoint else None,
        }
        self._finish_manifest("stopped", detail)
        self.events.emit("stage", durable=True, stage="stopped", detail=detail)
        return self.stop.exit_code

    def _failed(self, error: TrainerError) -> int:
        try:
            self.events.emit("error", durable=True, exit_code=error.exit_code, **error.to_event())
            self.events.emit("stage", durable=True, stage="failed", detail={"error_type": error.error_type})
        except OSError:  # the journal itself may be on the full disk; stdout still got the lines
            pass
        self._finish_manifest("failed", {"error": error.to_event()})
        return error.exit_code

    def _finish_manifest(self, status: str, detail: dict[str, Any]) -> None:
        if not self.manifest:
            return
        self.manifest.update(status=status, finished_at=time.time(), **detail)
        with contextlib.suppress(OSError):
            write_manifest(self.out / "manifest.json", self.manifest)


def _bounded(evals: LoadedDataset | None, limit: int, seed: int) -> LoadedDataset | None:
    """At most `limit` eval conversations, a seeded sample in file order (eval_loss cost stays bounded)."""
    if evals is None or len(evals) <= limit:
        return evals
    import random

    keep = sorted(random.Random(seed).sample(range(len(evals)), limit))
    return LoadedDataset(evals.path, [evals.conversations[i] for i in keep], evals.skipped_rows)


def run(spec: RunSpec, resume: str = "auto", stream: IO[str] | None = None) -> int:
    return Run(spec, resume, stream).execute()
