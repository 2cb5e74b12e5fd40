"""QLoRA (bitsandbytes NF4 + double quantisation) end to end; needs CUDA."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.trainer.conftest import of_type, stages

from vibeflow_trainer.cli import main
from vibeflow_trainer.events import read_events


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.mark.gpu
@pytest.mark.skipif(not _cuda(), reason="QLoRA needs a CUDA GPU (bitsandbytes 4-bit); this machine has none")
def test_qlora_trains_and_saves_an_adapter(make_spec, tmp_path: Path, capsys) -> None:
    code = main(["run", str(make_spec(method="qlora", max_steps=4, checkpoint_every=2))])
    events = read_events(capsys.readouterr().out)
    assert code == 0, of_type(events, "error")
    assert stages(events)[-1] == "completed"
    detail = [e for e in of_type(events, "stage") if e["stage"] == "training"][0]["detail"]
    assert detail["method"] == "qlora" and detail["precision"] in ("bf16", "fp16")
    assert any("gpu_mem_used_mb" in e for e in of_type(events, "metrics"))
    config = json.loads((tmp_path / "out" / "adapter_config.json").read_text())
    assert config["peft_type"] == "LORA"
