"""The evaluation spec the backend writes: which models, which held-out file, how many examples, where to write."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from vibeflow_trainer.assets_paths import DEMO_MODEL_ID
from vibeflow_trainer.errors import InvalidSpecError


@dataclass
class EvalSpec:
    """Everything one evaluation needs; field docs live in docs/evaluation.md."""

    output_dir: str
    tuned_path: str  # run output_dir: adapter (adapter_config.json) or full model (config.json)
    eval_path: str  # held-out split, same `messages` contract as training
    base_model: str = DEMO_MODEL_ID
    eval_id: str = ""
    max_examples: int = 50  # seeded sample of the held-out split (0 = all)
    seed: int = 42
    max_new_tokens: int | None = None  # None: 1.25 x the 90th-percentile reference + 16, in [32, 512]
    batch_size: int = 8
    temperature: float = 0.0  # 0 = greedy
    max_prompt_tokens: int = 1024  # longer prompts keep their end
    general_set_path: str | None = None  # forgetting quiz (JSONL: question, choices, answer)
    # "auto": all-MiniLM-L6-v2 from its wheel (else the base model's hidden states, with a note); "base"; or a
    # local sentence-embedding model directory.
    embedding_model: str = "auto"
    device: str = "auto"  # auto | cpu | cuda

    def __post_init__(self) -> None:
        if not self.eval_id:
            self.eval_id = Path(self.output_dir).name or "evaluation"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _problems(spec: EvalSpec) -> list[str]:
    out = []
    if spec.max_examples < 0:
        out.append("max_examples must be >= 0 (0 = every held-out example)")
    if spec.batch_size < 1:
        out.append("batch_size must be >= 1")
    if spec.max_new_tokens is not None and spec.max_new_tokens < 1:
        out.append("max_new_tokens must be >= 1")
    if spec.temperature < 0:
        out.append("temperature must be >= 0 (0 = greedy)")
    if spec.max_prompt_tokens < 16:
        out.append("max_prompt_tokens must be >= 16")
    if spec.device not in ("auto", "cpu", "cuda"):
        out.append("device must be auto, cpu or cuda")
    if not Path(spec.tuned_path).is_dir():
        out.append(f"tuned_path {spec.tuned_path} is not a directory (the run's output_dir)")
    return out


def load_eval_spec(path: str | Path) -> EvalSpec:
    """Read and check a JSON spec; relative paths are relative to the spec file."""
    file = Path(path).expanduser()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidSpecError(
            f"cannot read evaluation spec {file}: {exc}", "pass a JSON evaluation spec"
        ) from exc
    if not isinstance(data, dict):
        raise InvalidSpecError(f"{file.name} must hold a JSON object", "write the spec as a JSON object")
    known = {f.name for f in fields(EvalSpec)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidSpecError(
            f"unknown evaluation spec field(s): {', '.join(unknown)}", f"allowed: {', '.join(sorted(known))}"
        )
    missing = [name for name in ("output_dir", "tuned_path", "eval_path") if not data.get(name)]
    if missing:
        raise InvalidSpecError(
            f"missing evaluation spec field(s): {', '.join(missing)}", "add them to the spec"
        )
    for key in ("output_dir", "tuned_path", "eval_path", "general_set_path"):
        if data.get(key):
            value = Path(data[key]).expanduser()
            data[key] = str(value if value.is_absolute() else file.resolve().parent / value)
    try:
        spec = EvalSpec(**data)
    except TypeError as exc:
        raise InvalidSpecError(f"invalid evaluation spec: {exc}", "check the field types") from exc
    problems = _problems(spec)
    if problems:
        raise InvalidSpecError("; ".join(problems), "fix the evaluation spec (see docs/evaluation.md)")
    return spec
