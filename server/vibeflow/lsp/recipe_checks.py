"""Diagnostics of `vibeflow.yaml`: schema problems from the recipe loader plus our semantic checks, with fixes.

Each finding carries the fixes that resolve it (set a key to a value, rename a key), so the code-action
handler never has to re-derive them from diagnostic text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from vibeflow.lsp import advice as adv
from vibeflow.lsp import recipe_fields
from vibeflow.lsp.dataset_rows import ERROR, INFO, WARNING
from vibeflow.lsp.yaml_outline import Outline
from vibeflow.recipe.template import yaml_number

Path = tuple[str, ...]
DATA_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet")
SMALL_DATASET = 100


@dataclass(frozen=True)
class Fix:
    """One quick fix: set keys to YAML value texts and/or replace a span (line, start, end, text)."""

    title: str
    sets: tuple[tuple[Path, str], ...] = ()
    replace: tuple[int, int, int, str] | None = None
    preferred: bool = False


@dataclass
class Finding:
    line: int
    start: int
    end: int
    message: str
    severity: int
    code: str
    fixes: list[Fix] = field(default_factory=list)


def anchor(outline: Outline, path: Path, part: str = "value") -> tuple[int, int, int]:
    """(line, start, end) to underline for `path`: its value (or key); the closest present parent otherwise."""
    entry = outline.entry(path)
    if entry is not None:
        if part == "key" or not entry.value:
            return entry.line, entry.key_start, entry.key_end
        return entry.line, entry.value_start, entry.value_end
    for parent in (path[:-1], ("preset",), ("method",)):
        entry = outline.entry(parent) if parent else None
        if entry is not None:
            return entry.line, entry.key_start, entry.key_end
    first = outline.entries[0] if outline.entries else None
    return (first.line, first.key_start, first.key_end) if first else (0, 0, -1)


def _finding(
    outline: Outline,
    path: Path,
    message: str,
    severity: int,
    code: str,
    fixes: list[Fix] | None = None,
    part: str = "value",
) -> Finding:
    line, start, end = anchor(outline, path, part)
    return Finding(line, start, end, message, severity, code, fixes or [])


# -- schema ------------------------------------------------------------------------------------------------
_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'")
_EXPONENT = re.compile(r"^[-+]?\d+(\.\d*)?[eE][-+]?\d+$")


def schema_findings(issues: list[Any], outline: Outline, lines: list[str]) -> list[Finding]:
    """Findings from `vibeflow.recipe.loader.validate_text` issues, located precisely and with fixes."""
    out: list[Finding] = []
    for issue in issues:
        path: Path = tuple(p for p in issue.field.split(".") if p) if issue.field else ()
        entry = outline.entry(path) if path else None
        line = issue.line - 1
        start, end = max(0, issue.column - 1), -1
        fixes: list[Fix] = []
        message = issue.message + (f" — {issue.fix}" if issue.fix else "")
        if entry is not None:
            line = entry.line
            on_key = issue.message.startswith("unknown field")
            start, end = (
                (entry.key_start, entry.key_end)
                if on_key or not entry.value
                else (entry.value_start, entry.value_end)
            )
        if entry is not None and (match := _DID_YOU_MEAN.search(issue.fix or "")):
            fixes.append(
                Fix(
                    f"Rename '{entry.key}' to '{match.group(1)}'",
                    replace=(entry.line, entry.key_start, entry.key_end, match.group(1)),
                    preferred=True,
                )
            )
        spec = recipe_fields.spec(path) if path else None
        if entry is not None and spec is not None and entry.value:
            value = entry.value.strip("\"'")
            if spec.kind == "enum" and value not in spec.choices:
                for choice in (
                    difflib.get_close_matches(value, spec.choices, n=2, cutoff=0.3) or spec.choices[:2]
                ):
                    fixes.append(Fix(f"Change to '{choice}'", sets=((path, choice),), preferred=not fixes))
            if spec.kind in ("number", "integer") and _EXPONENT.match(value):
                fixes.append(
                    Fix(
                        f"Write {value} as {yaml_number(float(value))} (YAML reads {value} as text)",
                        sets=((path, yaml_number(float(value))),),
                        preferred=True,
                    )
                )
        if issue.message.startswith("required field") and spec is not None and spec.examples:
            fixes.append(Fix(f"Add {spec.dotted}: {spec.examples[0]}", sets=((path, str(spec.examples[0])),)))
        if line >= len(lines):
            line, start, end = max(0, len(lines) - 1), 0, -1
        out.append(Finding(line, start, end, message, ERROR, "schema", fixes))
    return out


# -- semantics ---------------------------------------------------------------------------------------------
def _set_fix(title: str, path: Path, value: Any, preferred: bool = True) -> Fix:
    text = (
        yaml_number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    )
    return Fix(title, sets=((path, text),), preferred=preferred)


def data_path_findings(raw: dict[str, Any], outline: Outline, folder: FsPath) -> list[Finding]:
    data = raw.get("data") if isinstance(raw, dict) else None
    path = data.get("path") if isinstance(data, dict) else None
    if not isinstance(path, str) or not path.strip():
        return []
    target = (folder / path).expanduser()
    if target.is_file():
        return []
    candidates = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in DATA_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )[:3]
    fixes = [
        _set_fix(
            f"Use {p.relative_to(folder).as_posix()}",
            ("data", "path"),
            p.relative_to(folder).as_posix(),
            preferred=i == 0,
        )
        for i, p in enumerate(candidates)
    ]
    what = "is a folder, not a file" if target.is_dir() else "not found"
    return [
        _finding(
            outline,
            ("data", "path"),
            f"data file {what}: {path} (paths are relative to vibeflow.yaml)",
            ERROR,
            "data-path",
            fixes,
        )
    ]


def data_read_findings(error: Any, outline: Outline) -> list[Finding]:
    """The importer's reason a recipe's data file cannot be read (an image, the wrong format, no rows)."""
    if error is None:
        return []
    where = f" (line {error.line})" if error.line else ""
    fix = f" Fix: {error.fix}" if error.fix else ""
    message = f"data file cannot be imported{where}: {error.message}.{fix}"
    return [_finding(outline, ("data", "path"), message.replace("..", "."), ERROR, "data-unreadable")]


def semantic_findings(
    recipe: Any, values: dict[str, Any], advice: adv.RecipeAdvice, outline: Outline, cuda: bool
) -> list[Finding]:
    out: list[Finding] = []
    rows = advice.rows
    lr = values["learning_rate"]
    if (a := advice.fields.get(adv.LR)) and (lr > a.high * adv.FAR_FACTOR or lr < a.low / adv.FAR_FACTOR):
        where = "above" if lr > a.high else "below"
        risk = "expect loss spikes or NaN" if lr > a.high else "training will barely move"
        out.append(
            _finding(
                outline,
                adv.LR,
                f"learning_rate {lr:g} is far {where} the recommended {a.low:g}-{a.high:g}"
                f" for {recipe.method}: {risk}",
                WARNING,
                "learning-rate",
                [
                    _set_fix(
                        f"Set learning_rate to {yaml_number(a.recommended)} (recommended)",
                        adv.LR,
                        a.recommended,
                    )
                ],
            )
        )
    lora = recipe.training.lora
    if recipe.method == "full" and lora.r is not None:
        out.append(
            _finding(outline, adv.RANK, "LoRA settings are ignored with method: full", INFO, "lora-ignored")
        )
    elif (a := advice.fields.get(adv.RANK)) and rows is not None:
        r = values["lora_r"]
        if r > a.high * 2 and rows < 10_000:
            out.append(
                _finding(
                    outline,
                    adv.RANK,
                    f"LoRA rank {r} is high for {rows:,} examples: more memory and "
                    f"faster overfitting ({a.why})",
                    WARNING,
                    "rank-high",
                    [_set_fix(f"Set lora.r to {a.recommended} (recommended)", adv.RANK, a.recommended)],
                )
            )
        elif r < a.low / 2 and rows >= 10_000:
            out.append(
                _finding(
                    outline,
                    adv.RANK,
                    f"LoRA rank {r} is low for {rows:,} examples: the adapter may underfit ({a.why})",
                    WARNING,
                    "rank-low",
                    [_set_fix(f"Set lora.r to {a.recommended} (recommended)", adv.RANK, a.recommended)],
                )
            )
    epochs = values.get("num_epochs")
    a = advice.fields.get(adv.EPOCHS)
    if a and epochs and not values.get("max_steps") and rows is not None and epochs > (a.high or 5):
        small = rows < 10_000
        message = (
            f"{epochs:g} epochs over {rows:,} examples is likely to overfit"
            if small
            else f"{epochs:g} epochs over {rows:,} examples costs more than it gains"
        )
        out.append(
            _finding(
                outline,
                adv.EPOCHS,
                f"{message} ({a.why})",
                WARNING if small else INFO,
                "epochs",
                [_set_fix(f"Set num_epochs to {yaml_number(a.recommended)}", adv.EPOCHS, a.recommended)],
            )
        )
    if rows is not None and rows < SMALL_DATASET:
        out.append(
            _finding(
                outline,
                ("data", "path"),
                f"only {rows:,} examples: too few to fine-tune reliably (aim for 100+, ideally 1,000+)",
                WARNING,
                "small-dataset",
            )
        )
    out += model_findings(advice, outline)
    out += _memory_findings(recipe, values, advice, outline, cuda)
    out += _hardware_findings(recipe, values, outline, cuda)
    out += _budget_findings(recipe, advice, outline)
    return out


def model_findings(advice: adv.RecipeAdvice, outline: Outline) -> list[Finding]:
    """The base model cannot be sized: an error for a folder that is not a model, else a warning (no estimate)."""
    error = advice.model_error
    if error is None or not getattr(error, "message", None):
        return []
    from vibeflow.recommend.errors import ModelDirectoryError

    not_a_model = isinstance(error, ModelDirectoryError)
    message = error.message + (f" — {error.fix}" if error.fix else "")
    if not not_a_model:
        message += " (no cost, time or memory estimate until then)"
    return [_finding(outline, ("base_model",), message, ERROR if not_a_model else WARNING, "base-model")]


def _memory_findings(
    recipe: Any, values: dict[str, Any], advice: adv.RecipeAdvice, outline: Outline, cuda: bool
) -> list[Finding]:
    fit = advice.memory
    if fit is None or fit.fits:
        return []
    batch, accum = values["batch_size"], values["gradient_accumulation"]
    fixes: list[Fix] = []
    if fit.max_batch:
        new_accum = max(1, (batch * accum) // fit.max_batch)
        fixes.append(
            Fix(
                f"Reduce batch_size to {fit.max_batch} (gradient_accumulation {new_accum} keeps the "
                f"effective batch of {batch * accum})",
                sets=((adv.BATCH, str(fit.max_batch)), (adv.ACCUM, str(new_accum))),
                preferred=True,
            )
        )
    if recipe.method == "lora" and fit.qlora_fits and (cuda or recipe.compute.target == "cloud"):
        fixes.append(
            Fix(
                "Switch LoRA → QLoRA (4-bit base: about a quarter of the weight memory)",
                sets=((("method",), "qlora"),),
                preferred=not fixes,
            )
        )
    if fit.bigger_gpu:
        fixes.append(
            Fix(
                f"Use a {fit.bigger_gpu} (the smallest GPU in the catalog that fits this batch)",
                sets=((("compute", "gpu"), fit.bigger_gpu),),
                preferred=not fixes,
            )
        )
    if recipe.method == "full":
        fixes.append(
            Fix(
                "Switch to LoRA (trains a small adapter instead of all weights)",
                sets=((("method",), "lora"),),
                preferred=not fixes,
            )
        )
    path = adv.BATCH if outline.entry(adv.BATCH) else ("method",)
    return [
        _finding(
            outline,
            path,
            f"batch_size {batch} will not fit: needs ~{fit.total_gb:.1f} GB, {fit.device} has "
            f"{fit.device_gb:g} GB ({fit.reason})",
            ERROR,
            "memory",
            fixes,
        )
    ]


def _hardware_findings(recipe: Any, values: dict[str, Any], outline: Outline, cuda: bool) -> list[Finding]:
    if recipe.compute.target != "local" or cuda:
        return []
    out: list[Finding] = []
    if recipe.method == "qlora":
        out.append(
            _finding(
                outline,
                ("method",),
                "QLoRA needs a CUDA GPU (bitsandbytes 4-bit) and this machine has none",
                ERROR,
                "qlora-no-cuda",
                [
                    Fix("Switch to LoRA (runs anywhere)", sets=((("method",), "lora"),), preferred=True),
                    Fix(
                        "Train on a cloud GPU (compute.target: cloud)",
                        sets=((("compute", "target"), "cloud"),),
                    ),
                ],
            )
        )
    if values.get("optimizer") == "adamw_8bit":
        out.append(
            _finding(
                outline,
                ("training", "optimizer"),
                "adamw_8bit needs CUDA (bitsandbytes); this machine has none",
                WARNING,
                "optimizer-no-cuda",
                [_set_fix("Use adamw_torch", ("training", "optimizer"), "adamw_torch")],
            )
        )
    return out


def _budget_findings(recipe: Any, advice: adv.RecipeAdvice, outline: Outline) -> list[Finding]:
    estimate = advice.estimate
    if estimate is None:
        return []
    out: list[Finding] = []
    chosen = getattr(getattr(estimate, "cost", None), "chosen", None)
    limit = recipe.budget.max_cost_usd
    if limit and chosen is not None and chosen.compute_usd > limit:
        out.append(
            _finding(
                outline,
                ("budget", "max_cost_usd"),
                f"estimated cost ${chosen.compute_usd:,.2f} exceeds "
                f"max_cost_usd ${limit:,.2f}: the budget guard will refuse to start",
                WARNING,
                "budget",
            )
        )
    hours = recipe.budget.max_hours
    seconds = getattr(getattr(estimate, "time", None), "seconds", None)
    if hours and seconds and seconds / 3600 > hours:
        out.append(
            _finding(
                outline,
                ("budget", "max_hours"),
                f"estimated time {seconds / 3600:.1f} h exceeds max_hours {hours:g}",
                WARNING,
                "budget",
            )
        )
    return out
