"""Finds out, without importing torch, whether this machine has a CUDA GPU (QLoRA and 8-bit optimizers need one).

`nvidia-smi` answers in milliseconds where `import torch` takes seconds; `VIBEFLOW_CUDA=0|1` overrides the
probe (tests, containers that hide the driver).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class LocalGPU:
    name: str
    memory_gb: float


@dataclass(frozen=True)
class Hardware:
    cuda: bool
    gpus: tuple[LocalGPU, ...] = ()
    source: str = "nvidia-smi"


@functools.cache
def detect() -> Hardware:
    forced = os.environ.get("VIBEFLOW_CUDA")
    if forced in {"0", "1"}:
        return Hardware(forced == "1", (), "VIBEFLOW_CUDA")
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return Hardware(os.path.exists("/proc/driver/nvidia/version"), (), "driver files")
    try:
        out = subprocess.run(
            [exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return Hardware(False, (), "nvidia-smi failed")
    gpus = []
    for row in out.strip().splitlines():
        name, _, memory = row.rpartition(",")
        try:
            gpus.append(LocalGPU(name.strip(), float(memory) / 1024))
        except ValueError:
            continue
    return Hardware(bool(gpus), tuple(gpus))
