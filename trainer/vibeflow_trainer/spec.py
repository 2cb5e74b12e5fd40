"""The run spec: one dataclass the backend writes as JSON/YAML, loaded and checked before any heavy import."""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from vibeflow_trainer.assets_paths import DEMO_MODEL_ID
from vibeflow_trainer.errors import InvalidSpecError

METHODS = ("lora", "qlora", "full")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
OPTIMIZERS = (
    "adamw_torch",
    "adamw_torch_fused",
    "adafactor",
    "sgd",
    "adamw_8bit",
    "paged_adamw_8bit",
    "paged_adamw_32bit",
)
CUDA_OPTIMIZERS = ("adamw_8bit", "paged_adamw_8bit", "paged_adamw_32bit")
SCHEDULERS = ("linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial")
_NESTED_LORA = {
    "r": "lora_r",
    "alpha": "lora_alpha",
    "dropout": "lora_dropout",
    "target_modules": "lora_target_modules",
}


@dataclass
class RunSpec:
    """Everything one training run needs; field docs live in docs/training.md."""

    train_path: str
    output_dir: str
    base_model: str = DEMO_MODEL_ID
    method: str = "lora"
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_target_modules: str | list[str] = "auto"
    learning_rate: float = 2e-4
    num_epochs: float | None = None
    max_steps: int | None = None
    batch_size: int = 8
    gradient_accumulation: int = 1
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0
    optimizer: str = "adamw_torch"
    lr_scheduler: str = "cosine"
    max_grad_norm: float = 1.0
    precision: str = "auto"
    gradient_checkpointing: bool | str = "auto"
    max_seq_length: int = 1024
    seed: int = 42
    checkpoint_every: int = 100
    keep_checkpoints: int = 3
    eval_every: int | None = None
    eval_max_rows: int = (
        64  # rows of eval_path scored for eval_loss (a seeded sample; the evaluation uses all)
    )
    log_every: int = 1
    gradient_stats_every: int = 50
    eval_path: str | None = None
    run_id: str = ""
    dataset_hash: str | None = None

    def __post_init__(self) -> None:
        if not self.run_id:
            self.run_id = Path(self.output_dir).name or "run"
        if self.num_epochs is None and self.max_steps is None:
            self.num_epochs = 1.0

    @property
    def effective_eval_every(self) -> int | None:
        if not self.eval_path:
            return None
        return self.eval_every or self.checkpoint_every

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _problems(spec: RunSpec) -> list[str]:
    p: list[str] = []

    def need(cond: bool, text: str) -> None:
        if not cond:
            p.append(text)

    need(spec.method in METHODS, f"method must be one of {', '.join(METHODS)} (got {spec.method!r})")
    need(
        spec.precision in PRECISIONS,
        f"precision must be one of {', '.join(PRECISIONS)} (got {spec.precision!r})",
    )
    need(
        spec.optimizer in OPTIMIZERS,
        f"optimizer must be one of {', '.join(OPTIMIZERS)} (got {spec.optimizer!r})",
    )
    need(spec.lr_scheduler in SCHEDULERS, f"lr_scheduler must be one of {', '.join(SCHEDULERS)}")
    need(bool(str(spec.base_model).strip()), "base_model must not be empty")
    need(bool(str(spec.train_path).strip()), "train_path must not be empty")
    need(bool(str(spec.output_dir).strip()), "output_dir must not be empty")
    need(
        _num(spec.learning_rate) and 0 < spec.learning_rate <= 10,
        f"learning_rate must be > 0 and <= 10 (got {spec.learning_rate})",
    )
    if spec.method in ("lora", "qlora"):
        need(_int(spec.lora_r) and spec.lora_r >= 1, f"lora_r must be an integer >= 1 (got {spec.lora_r})")
        need(_num(spec.lora_alpha) and spec.lora_alpha > 0, f"lora_alpha must be > 0 (got {spec.lora_alpha})")
        need(
            _num(spec.lora_dropout) and 0 <= spec.lora_dropout < 1,
            f"lora_dropout must be in [0, 1) (got {spec.lora_dropout})",
        )
        tm = spec.lora_target_modules
        need(
            tm == "auto"
            or tm == "all-linear"
            or (isinstance(tm, list) and tm and all(isinstance(t, str) for t in tm)),
            "lora_target_modules must be 'auto', 'all-linear' or a non-empty list of module names",
        )
    if spec.num_epochs is not None:
        need(_num(spec.num_epochs) and spec.num_epochs > 0, f"num_epochs must be > 0 (got {spec.num_epochs})")
    if spec.max_steps is not None:
        need(
            _int(spec.max_steps) and spec.max_steps >= 1,
            f"max_steps must be an integer >= 1 (got {spec.max_steps})",
        )
    for name in (
        "batch_size",
        "gradient_accumulation",
        "max_seq_length",
        "checkpoint_every",
        "keep_checkpoints",
        "log_every",
    ):
        value = getattr(spec, name)
        need(_int(value) and value >= 1, f"{name} must be an integer >= 1 (got {value})")
    if _int(spec.max_seq_length):
        need(spec.max_seq_length >= 16, f"max_seq_length must be >= 16 (got {spec.max_seq_length})")
    need(
        _int(spec.gradient_stats_every) and spec.gradient_stats_every >= 0,
        "gradient_stats_every must be >= 0 (0 = off)",
    )
    need(
        _int(spec.eval_max_rows) and spec.eval_max_rows >= 1,
        f"eval_max_rows must be an integer >= 1 (got {spec.eval_max_rows})",
    )
    if spec.eval_every is not None:
        need(
            _int(spec.eval_every) and spec.eval_every >= 1,
            f"eval_every must be an integer >= 1 (got {spec.eval_every})",
        )
    need(
        _num(spec.warmup_ratio) and 0 <= spec.warmup_ratio < 1,
        f"warmup_ratio must be in [0, 1) (got {spec.warmup_ratio})",
    )
    need(
        _num(spec.weight_decay) and spec.weight_decay >= 0,
        f"weight_decay must be >= 0 (got {spec.weight_decay})",
    )
    need(
        _num(spec.max_grad_norm) and spec.max_grad_norm >= 0,
        f"max_grad_norm must be >= 0 (got {spec.max_grad_norm})",
    )
    need(_int(spec.seed) and spec.seed >= 0, f"seed must be an integer >= 0 (got {spec.seed})")
    need(
        spec.gradient_checkpointing in (True, False, "auto"),
        "gradient_checkpointing must be true, false or 'auto'",
    )
    return p


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_spec(spec: RunSpec) -> RunSpec:
    """Raise InvalidSpecError listing every impossible value; return the spec unchanged otherwise."""
    problems = _problems(spec)
    if problems:
        raise InvalidSpecError(
            "invalid run spec: " + "; ".join(problems),
            "correct the listed fields in the run spec (see docs/training.md for allowed values)",
        )
    return spec


def spec_from_dict(data: dict[str, Any], base_dir: Path | None = None) -> RunSpec:
    """Build a RunSpec from a mapping, accepting a nested `lora:` block; unknown keys are an error."""
    if not isinstance(data, dict):
        raise InvalidSpecError(
            "the run spec must be a mapping of field names to values", "write the spec as a JSON/YAML object"
        )
    data = dict(data)
    lora = data.pop("lora", None)
    if isinstance(lora, dict):
        for key, value in lora.items():
            if key not in _NESTED_LORA:
                raise InvalidSpecError(f"unknown field lora.{key}", f"use one of {', '.join(_NESTED_LORA)}")
            data[_NESTED_LORA[key]] = value
    known = {f.name for f in fields(RunSpec)}
    unknown = [k for k in data if k not in known]
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, known, n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise InvalidSpecError(
            f"unknown spec field(s): {', '.join(hints)}", "remove or rename the listed fields"
        )
    missing = [name for name in ("train_path", "output_dir") if not data.get(name)]
    if missing:
        raise InvalidSpecError(
            f"missing required spec field(s): {', '.join(missing)}", "add them to the run spec"
        )
    if base_dir is not None:
        for key in ("train_path", "eval_path", "output_dir"):
            value = data.get(key)
            if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
                data[key] = str((base_dir / value).resolve())
    try:
        spec = RunSpec(**data)
    except TypeError as exc:
        raise InvalidSpecError(f"invalid run spec: {exc}", "check the field types in the run spec") from exc
    return validate_spec(spec)


def _read(file: Path) -> Any:
    text = file.read_text(encoding="utf-8")
    if file.suffix.lower() in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text)
    return json.loads(text)


def peek_identity(path: str | Path) -> tuple[Path | None, str]:
    """Best-effort (output_dir, run_id) of a spec that failed validation, so its error can still be journaled."""
    file = Path(path).expanduser()
    try:
        data = _read(file)
        out = Path(data["output_dir"]).expanduser()
        out = out if out.is_absolute() else file.resolve().parent / out
        return out, str(data.get("run_id") or out.name)
    except Exception:  # noqa: BLE001 - unreadable specs simply have no journal
        return None, ""


def load_spec(path: str | Path) -> RunSpec:
    """Read a JSON or YAML spec file; relative paths inside it are relative to the file."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise InvalidSpecError(
            f"run spec file not found: {file}", "pass the path of an existing .json/.yaml spec"
        )
    try:
        data = _read(file)
    except Exception as exc:  # noqa: BLE001 - any parse error is a spec error
        raise InvalidSpecError(
            f"cannot parse run spec {file.name}: {exc}", "fix the JSON/YAML syntax"
        ) from exc
    return spec_from_dict(data, base_dir=file.resolve().parent)
