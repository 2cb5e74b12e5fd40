"""Download package of a deployed version: adapter, its config, tokenizer, chat template, generation config,
`inference_example.py`, `requirements.txt` and a README, as a directory and a zip; optionally merged weights."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

from vibeflow.errors import VibeFlowError

COPY = (
    "adapter_model.safetensors",
    "adapter_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
    "generation_config.json",
    "manifest.json",
)
REQUIRED = (
    "adapter_model.safetensors",
    "adapter_config.json",
    "tokenizer_config.json",
    "generation_config.json",
)

REQUIREMENTS = """torch>=2.2
transformers>=4.46
peft>=0.13
safetensors>=0.4
accelerate>=1.0
"""

EXAMPLE = '''"""Run the fine-tuned model locally: python inference_example.py "your question" [--base BASE_MODEL]."""

import argparse
import json
from pathlib import Path

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("prompt", nargs="?", default="Hello! Can you help me?")
    parser.add_argument("--base", default=json.loads((HERE / "adapter_config.json").read_text())["base_model_name_or_path"],
                        help="base model id or path (default: the one the adapter was trained on)")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    args = parser.parse_args()
    merged = HERE / "merged"
    # The tokenizer saved with the adapter carries the exact chat template used in training.
    tokenizer = AutoTokenizer.from_pretrained(HERE)
    if merged.is_dir():
        model = AutoModelForCausalLM.from_pretrained(merged)
    else:
        model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(args.base), HERE)
    model.eval()
    messages = [{"role": "user", "content": args.prompt}]
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=args.max_new_tokens, do_sample=False,
                             eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    print(tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True))


if __name__ == "__main__":
    main()
'''


def _readme(name: str, version: Any, base: str, demo: bool, merged: bool) -> str:
    demo_note = (
        "\n> **Demo base.** This adapter was trained on `vibeflow-demo-tiny`, a tiny random-weight model built "
        "offline; it produces gibberish and exists to show the pipeline. `adapter_config.json` points at the "
        "cache directory where VibeFlow built it.\n"
        if demo
        else ""
    )
    return f"""# {name} — version {version.number}

Fine-tuned with VibeFlow (run `{version.run_id}`): a LoRA adapter for the base model `{base}`.
{demo_note}
## Files

| file | what |
| --- | --- |
| `adapter_model.safetensors`, `adapter_config.json` | the LoRA adapter (peft) |
| `tokenizer.json`, `tokenizer_config.json`, `chat_template.jinja` | tokenizer and the exact chat template used in training |
| `generation_config.json` | EOS/pad ids: generation stops where training taught the model to |
| `inference_example.py` | run it locally with transformers + peft |
| `requirements.txt` | what the example needs |
| `manifest.json` | the training run's manifest (spec, data hashes, versions) |
{"| `merged/` | full weights with the adapter folded in (no peft needed) |" if merged else ""}

## Run

```
pip install -r requirements.txt
python inference_example.py "Where is my order?"
```

Serve it with vLLM on a GPU (same chat template as training):

```
vllm serve {base} --enable-lora --lora-modules {name}=$PWD --chat-template $PWD/chat_template.jinja
```
"""


async def build_package(
    dep: Any, version: Any, out_dir: Path, merged: bool = False, as_zip: bool = True
) -> dict[str, Any]:
    """Write the package directory (and a zip next to it); returns paths and the file list."""
    source = Path(version.adapter_path)
    missing = [f for f in REQUIRED if not (source / f).is_file()]
    if missing:
        raise VibeFlowError(
            f"the run's output lacks {', '.join(missing)} in {source}",
            fix="the run's files were moved or deleted: re-run the training",
            http_status=409,
        )
    target = out_dir / f"{dep.name}-v{version.number}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in COPY:
        if (source / name).is_file():
            shutil.copy2(source / name, target / name)
    (target / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    (target / "inference_example.py").write_text(EXAMPLE, encoding="utf-8")
    base = json.loads((source / "adapter_config.json").read_text()).get(
        "base_model_name_or_path", dep.base_model
    )
    demo = "vibeflow-demo-tiny" in str(base)
    if merged:
        python = os.environ.get("VIBEFLOW_TRAINER_PYTHON") or sys.executable
        proc = await asyncio.create_subprocess_exec(
            python,
            "-m",
            "vibeflow_trainer.serve.merge",
            str(source),
            str(target / "merged"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await proc.communicate()
        if proc.returncode != 0:
            raise VibeFlowError(
                f"merging the weights failed: {err.decode(errors='replace')[-500:]}",
                fix="check that the base model is available on this machine",
                http_status=500,
            )
    (target / "README.md").write_text(_readme(dep.name, version, base, demo, merged), encoding="utf-8")
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    archive = None
    if as_zip:
        archive = target.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for rel in files:
                zf.write(target / rel, f"{target.name}/{rel}")
    return {"directory": str(target), "zip": str(archive) if archive else None, "files": files}
