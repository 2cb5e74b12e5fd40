"""Run spec loading/validation, the `validate` command, and the torch-free import contract."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.trainer.conftest import run_cli

from vibeflow_trainer.cli import main
from vibeflow_trainer.errors import InvalidSpecError
from vibeflow_trainer.spec import load_spec, spec_from_dict


def test_yaml_spec_with_nested_lora_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(
        "train_path: data/train.jsonl\noutput_dir: runs/r1\nlora:\n  r: 8\n  alpha: 16\n  target_modules: [q_proj, v_proj]\n"
        "learning_rate: 1.0e-4\nmax_steps: 10\n",
        encoding="utf-8",
    )
    spec = load_spec(tmp_path / "spec.yaml")
    assert (spec.lora_r, spec.lora_alpha, spec.lora_target_modules) == (8, 16, ["q_proj", "v_proj"])
    assert spec.train_path == str(tmp_path / "data" / "train.jsonl")
    assert spec.output_dir == str(tmp_path / "runs" / "r1")
    assert spec.run_id == "r1"  # defaults to the output directory name
    assert spec.num_epochs is None and spec.max_steps == 10


def test_num_epochs_defaults_to_one_without_max_steps() -> None:
    spec = spec_from_dict({"train_path": "t.jsonl", "output_dir": "o"})
    assert spec.num_epochs == 1.0 and spec.method == "lora" and spec.base_model == "vibeflow-demo-tiny"


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("learning_rate", -1e-4, "learning_rate must be > 0"),
        ("lora_r", 0, "lora_r must be an integer >= 1"),
        ("lora_dropout", 1.5, "lora_dropout must be in [0, 1)"),
        ("batch_size", 0, "batch_size must be an integer >= 1"),
        ("method", "dpo", "method must be one of lora, qlora, full"),
        ("precision", "int3", "precision must be one of"),
        ("max_steps", 0, "max_steps must be an integer >= 1"),
        ("warmup_ratio", 1.0, "warmup_ratio must be in [0, 1)"),
        ("keep_checkpoints", 0, "keep_checkpoints must be an integer >= 1"),
        ("max_seq_length", 4, "max_seq_length must be >= 16"),
    ],
)
def test_impossible_values_are_named(field: str, value: object, needle: str) -> None:
    with pytest.raises(InvalidSpecError) as info:
        spec_from_dict({"train_path": "t.jsonl", "output_dir": "o", field: value})
    assert needle in info.value.message
    assert info.value.fix and info.value.exit_code == 2 and info.value.error_type == "invalid_spec"


def test_unknown_field_suggests_the_close_name() -> None:
    with pytest.raises(InvalidSpecError, match="did you mean 'learning_rate'"):
        spec_from_dict({"train_path": "t.jsonl", "output_dir": "o", "learning_rte": 1e-4})


def test_missing_required_fields() -> None:
    with pytest.raises(InvalidSpecError, match="train_path"):
        spec_from_dict({"output_dir": "o"})


def test_validate_reports_ok(make_spec, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(make_spec())]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True and result["train_rows"] == 64


def test_validate_batch_larger_than_dataset(make_spec, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(make_spec(batch_size=500))]) == 2
    result = json.loads(capsys.readouterr().out)
    assert result["error_type"] == "invalid_spec" and "larger than the training set (64" in result["message"]


def test_validate_missing_dataset(make_spec, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(make_spec(train_path=str(tmp_path / "nope.jsonl")))]) == 3
    assert json.loads(capsys.readouterr().out)["error_type"] == "dataset_format"


def test_validate_unknown_model_offline_is_quick_and_clear(
    make_spec, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    assert main(["validate", str(make_spec(base_model="acme/not-a-real-model"))]) == 4
    result = json.loads(capsys.readouterr().out)
    assert result["error_type"] == "model_not_found"
    assert (
        "model acme/not-a-real-model is not available offline; use a local path or the offline default base"
        in result["message"]
    )
    assert time.monotonic() - started < 10  # no minutes of Hub retries


def test_help_lists_commands_and_exit_codes() -> None:
    done = run_cli("--help", timeout=60)
    assert done.returncode == 0
    for needle in ("run", "validate", "143", "nan_divergence"):
        assert needle in done.stdout


def test_light_modules_do_not_import_torch() -> None:
    code = (
        "import sys, vibeflow_trainer, vibeflow_trainer.assets_paths, vibeflow_trainer.spec, "
        "vibeflow_trainer.events, vibeflow_trainer.event_schema, vibeflow_trainer.cli, vibeflow_trainer.data; "
        "print(sorted(m for m in ('torch', 'transformers', 'trl', 'peft') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
