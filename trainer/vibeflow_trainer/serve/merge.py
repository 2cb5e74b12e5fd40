"""Exports merged full weights (base + LoRA folded in) for a download package: `python -m
vibeflow_trainer.serve.merge ADAPTER_DIR OUT_DIR`."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def merge(adapter: Path, out: Path) -> Path:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from vibeflow_trainer.models import resolve_base_model

    base_name = json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"]
    resolved = resolve_base_model(base_name)
    base = AutoModelForCausalLM.from_pretrained(
        resolved.source, local_files_only=resolved.local_files_only, dtype=torch.float32
    )
    merged = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(str(out))
    AutoTokenizer.from_pretrained(str(adapter)).save_pretrained(str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m vibeflow_trainer.serve.merge ADAPTER_DIR OUT_DIR", file=sys.stderr)
        return 2
    print(json.dumps({"merged": str(merge(Path(args[0]), Path(args[1])))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
