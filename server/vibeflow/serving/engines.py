"""Engine choice and command lines: vLLM's OpenAI server (multi-LoRA, runtime adapter loading) when CUDA and
vLLM are present, else our CPU engine (`python -m vibeflow_trainer serve SPEC`); both speak the OpenAI API
plus `/health` and `/tokenize`, so the gateway and the consistency check drive them the same way."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from vibeflow.errors import ConfigError

ENGINES = ("cpu", "vllm", "auto", "cloud")
VLLM_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)


@dataclass(frozen=True)
class Hardware:
    """What the engine choice depends on."""

    cuda: bool
    vllm: bool
    detail: str = ""


def detect_hardware() -> Hardware:
    """CUDA via `nvidia-smi -L` (no torch import in the backend) and vLLM via its module or `vllm` binary."""
    cuda, detail = False, "nvidia-smi not found"
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10)
            cuda = out.returncode == 0 and "GPU" in out.stdout
            detail = out.stdout.strip().splitlines()[0] if cuda else (out.stderr.strip() or "no GPU listed")
        except (OSError, subprocess.TimeoutExpired) as exc:
            detail = f"nvidia-smi failed: {exc}"
    vllm = importlib.util.find_spec("vllm") is not None or shutil.which("vllm") is not None
    return Hardware(cuda=cuda, vllm=vllm, detail=detail)


def choose_engine(requested: str, hardware: Hardware) -> str:
    """`auto` → vllm with CUDA and vLLM installed, else cpu; `vllm` without them is refused with the fix."""
    if requested not in ENGINES:
        raise ConfigError(f"unknown engine {requested!r}", fix="use --engine cpu, vllm, auto or cloud")
    if requested in ("cpu", "cloud"):  # cloud: vLLM on a SkyServe GPU, whatever this machine has
        return requested
    if hardware.cuda and hardware.vllm:
        return "vllm"
    if requested == "auto":
        return "cpu"
    missing = "CUDA" if not hardware.cuda else "the vllm package"
    raise ConfigError(
        f"the vLLM engine needs {missing} ({hardware.detail})",
        fix="vLLM's wheel runs only on NVIDIA GPUs: use --engine cpu here, or `pip install vllm` on a CUDA machine",
    )


@dataclass
class EngineLaunch:
    """A ready-to-run engine: argv, extra environment, and how readiness is announced."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ready_file: Path | None = None
    port: int | None = None  # known up front for vLLM; the CPU engine reports its own


def adapter_rank(path: str | Path) -> int:
    try:
        return int(json.loads((Path(path) / "adapter_config.json").read_text()).get("r") or 8)
    except (OSError, ValueError):
        return 8


def vllm_max_lora_rank(adapters: dict[str, str]) -> int:
    """The smallest rank vLLM accepts for --max-lora-rank that fits every adapter."""
    need = max((adapter_rank(p) for p in adapters.values()), default=8)
    for rank in VLLM_LORA_RANKS:
        if rank >= need:
            return rank
    raise ConfigError(f"LoRA rank {need} is above what vLLM serves", fix="retrain with lora r ≤ 512")


def vllm_launch(
    base_model: str,
    adapters: dict[str, str],
    port: int,
    host: str = "127.0.0.1",
    max_loras: int = 4,
    chat_template: str | None = None,
    extra_args: list[str] | None = None,
    vllm_bin: str = "vllm",
    max_lora_rank: int | None = None,
) -> EngineLaunch:
    """`vllm serve BASE --enable-lora --lora-modules name=path … --max-loras N` with runtime LoRA updates on.

    The chat template is the one the run trained with (saved next to the adapter), so prompts render the same
    as in training; the consistency check verifies it before traffic is sent.
    """
    if not adapters:
        raise ConfigError("nothing to serve: no adapters", fix="deploy a finished LoRA run")
    argv = [vllm_bin, "serve", base_model, "--host", host, "--port", str(port), "--enable-lora"]
    argv += ["--lora-modules", *(f"{name}={path}" for name, path in adapters.items())]
    argv += [
        "--max-loras",
        str(max(max_loras, len(adapters))),
        "--max-lora-rank",
        str(max_lora_rank or vllm_max_lora_rank(adapters)),  # given when the paths are not local ones
    ]
    if chat_template:
        argv += ["--chat-template", chat_template]
    argv += ["--generation-config", "auto", "--disable-uvicorn-access-log"]
    argv += list(extra_args or [])
    return EngineLaunch(argv=argv, env={"VLLM_ALLOW_RUNTIME_LORA_UPDATING": "True"}, port=port)


def trained_chat_template(adapter: str | Path) -> str | None:
    """The chat template file the trainer saved with the run, if any."""
    path = Path(adapter) / "chat_template.jinja"
    return str(path) if path.is_file() else None


def cpu_launch(
    spec_dir: Path,
    base_model: str,
    adapters: dict[str, str],
    chat_template: str | None = None,
    max_loras: int = 8,
    threads: int | None = None,
    python: str | None = None,
) -> EngineLaunch:
    """Write the engine spec and return `python -m vibeflow_trainer serve SPEC` (binds a free loopback port)."""
    spec_dir.mkdir(parents=True, exist_ok=True)
    ready = spec_dir / "engine_ready.json"
    ready.unlink(missing_ok=True)
    spec = {
        "base_model": base_model,
        "adapters": adapters,
        "host": "127.0.0.1",
        "port": 0,
        "ready_file": str(ready),
        "chat_template": chat_template,
        "max_loras": max(max_loras, len(adapters)),
        "threads": threads,
    }
    path = spec_dir / "engine_spec.json"
    path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    interpreter = python or os.environ.get("VIBEFLOW_TRAINER_PYTHON") or sys.executable
    return EngineLaunch(argv=[interpreter, "-m", "vibeflow_trainer", "serve", str(path)], ready_file=ready)
