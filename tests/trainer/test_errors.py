"""Failures become one typed `error` event, a `failed` stage and the documented exit code."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from tests.trainer.conftest import of_type, stages

from vibeflow_trainer.cli import main
from vibeflow_trainer.errors import DiskFullError, OutOfMemoryError, UnknownTrainerError, classify
from vibeflow_trainer.events import read_events


def _fail(spec: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict, list[dict]]:
    code = main(["run", str(spec), *extra])
    events = read_events(capsys.readouterr().out)
    errors = of_type(events, "error")
    assert len(errors) == 1, events
    assert stages(events)[-1] == "failed"
    assert errors[0]["exit_code"] == code and errors[0]["fix"]
    return code, errors[0], events


def test_unknown_model_offline(make_spec, capsys) -> None:
    code, error, _ = _fail(make_spec(base_model="acme/not-a-real-model"), capsys)
    assert (code, error["error_type"]) == (4, "model_not_found")
    assert (
        error["message"]
        == "model acme/not-a-real-model is not available offline; use a local path or the offline default base"
    )


def test_missing_local_model_directory(make_spec, tmp_path: Path, capsys) -> None:
    code, error, _ = _fail(make_spec(base_model=str(tmp_path / "no-such-model")), capsys)
    assert (code, error["error_type"]) == (4, "model_not_found")


def test_missing_dataset(make_spec, tmp_path: Path, capsys) -> None:
    code, error, events = _fail(make_spec(train_path=str(tmp_path / "gone.jsonl")), capsys)
    assert (code, error["error_type"]) == (3, "dataset_format") and "not found" in error["message"]
    journaled = read_events((tmp_path / "out" / "events.jsonl").read_text())  # failures are journaled too
    assert of_type(journaled, "error")[0]["error_type"] == "dataset_format"


def test_impossible_spec_values(make_spec, tmp_path: Path, capsys) -> None:
    code, error, _ = _fail(make_spec(learning_rate=-0.1, lora_r=0), capsys)
    assert (code, error["error_type"]) == (2, "invalid_spec")
    assert "learning_rate must be > 0" in error["message"] and "lora_r must be" in error["message"]
    journaled = read_events((tmp_path / "out" / "events.jsonl").read_text())
    assert [e["type"] for e in journaled] == ["error", "stage"] and journaled[0]["run_id"] == "test-run"


def test_batch_larger_than_dataset(make_spec, capsys) -> None:
    code, error, _ = _fail(make_spec(batch_size=65), capsys)
    assert (code, error["error_type"]) == (2, "invalid_spec") and "64 conversations" in error["message"]


def test_qlora_without_cuda(make_spec, capsys) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is present: QLoRA is allowed here (covered by test_qlora.py)")
    code, error, _ = _fail(make_spec(method="qlora"), capsys)
    assert (code, error["error_type"]) == (5, "cuda_required")
    assert "method: lora" in error["fix"]


def test_absurd_learning_rate_is_stopped_as_divergence(make_spec, capsys) -> None:
    spec = make_spec(method="full", learning_rate=5.0, warmup_ratio=0.0, max_steps=30, checkpoint_every=100)
    code, error, events = _fail(spec, capsys)
    assert (code, error["error_type"]) == (7, "nan_divergence")
    assert any(a["kind"] == "divergence" for a in of_type(events, "alert"))
    assert max(e["step"] for e in of_type(events, "metrics")) < 30  # stopped early, not after wasting the run


def test_disk_full_while_checkpointing(make_spec, monkeypatch, capsys) -> None:
    import torch

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", no_space)
    code, error, events = _fail(make_spec(max_steps=4, checkpoint_every=2), capsys)
    assert (code, error["error_type"]) == (8, "disk_full")
    assert not of_type(events, "checkpoint")


def test_resume_none_refuses_to_overwrite_checkpoints(make_spec, capsys) -> None:
    spec = make_spec(max_steps=2, checkpoint_every=2, gradient_stats_every=0)
    assert main(["run", str(spec)]) == 0
    capsys.readouterr()
    code, error, _ = _fail(spec, capsys, "--resume", "none")
    assert (code, error["error_type"]) == (2, "invalid_spec") and "--resume auto" in error["fix"]


def test_classify_maps_low_level_errors() -> None:
    assert isinstance(classify(OSError(errno.ENOSPC, "No space left on device")), DiskFullError)
    wrapped = RuntimeError("saving failed")
    wrapped.__cause__ = OSError(errno.EDQUOT, "quota")
    assert isinstance(classify(wrapped), DiskFullError)
    assert isinstance(
        classify(RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")), OutOfMemoryError
    )
    assert isinstance(classify(MemoryError()), OutOfMemoryError)
    unknown = classify(ValueError("something odd"))
    assert (
        isinstance(unknown, UnknownTrainerError)
        and unknown.exit_code == 1
        and "something odd" in unknown.message
    )
