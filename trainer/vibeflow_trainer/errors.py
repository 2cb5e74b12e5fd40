"""Typed trainer failures, each carrying a plain-words fix, an event error_type and a process exit code."""

from __future__ import annotations

import errno
from typing import ClassVar


class TrainerError(Exception):
    """Base class: a failure the trainer understands, with what went wrong and how to fix it."""

    error_type: ClassVar[str] = "unknown"
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def to_event(self) -> dict[str, str]:
        return {"error_type": self.error_type, "message": self.message, "fix": self.fix}


class InvalidSpecError(TrainerError):
    error_type = "invalid_spec"
    exit_code = 2


class DatasetFormatError(TrainerError):
    error_type = "dataset_format"
    exit_code = 3


class ModelNotFoundError(TrainerError):
    error_type = "model_not_found"
    exit_code = 4


class CudaRequiredError(TrainerError):
    error_type = "cuda_required"
    exit_code = 5


class OutOfMemoryError(TrainerError):
    error_type = "out_of_memory"
    exit_code = 6


class DivergenceError(TrainerError):
    error_type = "nan_divergence"
    exit_code = 7


class DiskFullError(TrainerError):
    error_type = "disk_full"
    exit_code = 8


class UnknownTrainerError(TrainerError):
    error_type = "unknown"
    exit_code = 1


_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_DISK_FULL_TEXT = ("no space left on device", "disk quota exceeded", "file write failed")
_OOM_TEXT = ("out of memory", "cuda error: out of memory", "cublas_status_alloc_failed")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException) -> TrainerError:
    """Map any exception raised during a run onto a typed TrainerError (unknown when nothing matches)."""
    for item in _chain(exc):
        if isinstance(item, TrainerError):
            return item
    for item in _chain(exc):
        text = str(item).lower()
        if (isinstance(item, OSError) and item.errno in _DISK_FULL_ERRNOS) or any(
            t in text for t in _DISK_FULL_TEXT
        ):
            return DiskFullError(
                f"the disk is full while writing run files: {item}",
                "free disk space in the output directory (delete old checkpoints or runs) or lower "
                "keep_checkpoints, then resume with --resume auto",
            )
        if (
            isinstance(item, MemoryError)
            or type(item).__name__ == "OutOfMemoryError"
            or any(t in text for t in _OOM_TEXT)
        ):
            return OutOfMemoryError(
                f"the run ran out of memory: {item}",
                "lower batch_size (raise gradient_accumulation to keep the effective batch), lower "
                "max_seq_length, switch to LoRA or QLoRA, or use a GPU with more memory",
            )
    return UnknownTrainerError(
        f"{type(exc).__name__}: {exc}",
        "look at the log above the error; if it persists, report it with the run's events.jsonl",
    )
