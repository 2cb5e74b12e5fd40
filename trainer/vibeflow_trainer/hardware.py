"""What the machine can do (CUDA, bf16, memory) and the checks that turn a mismatch into a clear error."""

from __future__ import annotations

import contextlib
import os
import platform
from typing import Any

from vibeflow_trainer.errors import CudaRequiredError, InvalidSpecError
from vibeflow_trainer.spec import CUDA_OPTIMIZERS, RunSpec


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def resolve_precision(requested: str, cuda: bool) -> str:
    """auto → bf16 on a bf16-capable GPU, fp16 on an older GPU, fp32 on CPU."""
    if requested != "auto":
        return requested
    if not cuda:
        return "fp32"
    import torch

    return "bf16" if torch.cuda.is_bf16_supported() else "fp16"


def check_environment(spec: RunSpec) -> str:
    """Raise CudaRequiredError for choices that need a GPU; return the resolved precision."""
    cuda = cuda_available()
    if spec.method == "qlora":
        if not cuda:
            raise CudaRequiredError(
                "QLoRA needs a CUDA GPU: bitsandbytes 4-bit (NF4) training does not run on this machine",
                "use method: lora (same adapter output, more memory) or run on a CUDA GPU",
            )
        try:
            import bitsandbytes  # noqa: F401
        except ImportError as exc:
            raise InvalidSpecError(
                "QLoRA needs the bitsandbytes package, which is not installed",
                "pip install bitsandbytes, or use method: lora",
            ) from exc
    if spec.optimizer in CUDA_OPTIMIZERS and not cuda:
        raise CudaRequiredError(
            f"optimizer {spec.optimizer} (bitsandbytes) needs a CUDA GPU", "use optimizer: adamw_torch"
        )
    precision = resolve_precision(spec.precision, cuda)
    if precision == "fp16" and not cuda:
        raise CudaRequiredError("fp16 mixed precision needs a CUDA GPU", "use precision: auto, fp32 or bf16")
    return precision


def gpu_memory() -> dict[str, float] | None:
    """Used/total MiB and utilisation % of the current CUDA device, or None without CUDA."""
    import torch

    if not torch.cuda.is_available():
        return None
    free, total = torch.cuda.mem_get_info()
    stats: dict[str, float] = {
        "gpu_mem_used_mb": round((total - free) / 2**20, 1),
        "gpu_mem_total_mb": round(total / 2**20, 1),
    }
    with contextlib.suppress(Exception):  # utilisation needs pynvml; it is optional
        stats["gpu_util_pct"] = float(torch.cuda.utilization())
    return stats


def hardware_summary() -> dict[str, Any]:
    import torch

    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "cuda": torch.cuda.is_available(),
    }
    with contextlib.suppress(ValueError, OSError, AttributeError):
        info["ram_total_mb"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)
    if torch.cuda.is_available():
        info["cuda_version"] = torch.version.cuda
        info["gpus"] = [
            {
                "name": torch.cuda.get_device_name(i),
                "memory_mb": round(torch.cuda.get_device_properties(i).total_memory / 2**20),
            }
            for i in range(torch.cuda.device_count())
        ]
    return info
