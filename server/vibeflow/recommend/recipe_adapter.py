"""Turns a `vibeflow.yaml` recipe (or a plain dict) plus data statistics into an estimate request.

Data statistics come from the caller when it has them (the language server and the API read them from the
dataset's quality report); otherwise a local data file is sampled here: rows are counted exactly and token
lengths approximated as characters / 4 (flagged in the estimate's assumptions).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from vibeflow.recommend.errors import InvalidRequestError
from vibeflow.recommend.schemas import Estimate, EstimateRequest

CHARS_PER_TOKEN = 4.0
INPUT_NAMES = ("instruction", "input", "prompt", "question", "query", "context", "system")
OUTPUT_NAMES = ("output", "response", "answer", "completion", "target", "reply")
SAMPLE_ROWS = 5000
FIELDS = set(EstimateRequest.model_fields)


def _rows(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".jsonl", ".ndjson"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if suffix == ".json":
        data = json.loads(text)
        return data if isinstance(data, list) else data.get("data", data.get("rows", []))
    if suffix in (".csv", ".tsv"):
        return list(csv.DictReader(text.splitlines(), delimiter="\t" if suffix == ".tsv" else ","))
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    raise InvalidRequestError(
        f"cannot read {path.name} for an estimate", fix="use CSV, TSV, JSON, JSONL or Parquet"
    )


def _lengths(row: dict[str, Any], input_cols: list[str], output_col: str | None) -> tuple[float, float]:
    if isinstance(row.get("messages"), list):
        out = sum(len(str(m.get("content", ""))) for m in row["messages"] if m.get("role") == "assistant")
        total = sum(len(str(m.get("content", ""))) for m in row["messages"])
        return total - out, out
    strings = {
        k: str(v) for k, v in row.items() if isinstance(v, str | int | float) and not isinstance(v, bool)
    }
    lower = {k.lower(): k for k in strings}
    out_key = output_col or next((lower[n] for n in OUTPUT_NAMES if n in lower), None)
    in_keys = input_cols or [lower[n] for n in INPUT_NAMES if n in lower]
    if out_key is None:
        total = sum(len(v) for v in strings.values())
        return total / 2, total / 2
    return sum(len(strings.get(k, "")) for k in in_keys), len(strings.get(out_key, ""))


def data_stats_from_file(
    path: Path, input_column: str | list[str] | None = None, output_column: str | None = None
) -> dict[str, float]:
    """Row count and approximate token lengths of a data file (characters / 4)."""
    if not path.is_file():
        raise InvalidRequestError(
            f"data file not found: {path}",
            fix="fix data.path in vibeflow.yaml, or pass --examples/--tokens-in/--tokens-out",
        )
    rows = _rows(path)
    if not rows:
        raise InvalidRequestError(f"{path.name} has no rows", fix="add training examples to the file")
    cols = [input_column] if isinstance(input_column, str) else list(input_column or [])
    sample = rows[:SAMPLE_ROWS]
    pairs = [_lengths(r, cols, output_column) for r in sample if isinstance(r, dict)]
    totals = [a + b for a, b in pairs] or [0.0]
    mean = sum(totals) / len(totals)
    var = sum((t - mean) ** 2 for t in totals) / len(totals)
    return {
        "rows": len(rows),
        "avg_tokens_in": sum(a for a, _ in pairs) / max(len(pairs), 1) / CHARS_PER_TOKEN,
        "avg_tokens_out": sum(b for _, b in pairs) / max(len(pairs), 1) / CHARS_PER_TOKEN,
        "length_cv": (var**0.5 / mean) if mean else 0.5,
        "max_tokens": max(totals) / CHARS_PER_TOKEN,
        "approximate": True,
    }


def data_stats_from_report(report: dict[str, Any], rows: int | None = None) -> dict[str, Any]:
    """Row count and exact token lengths from a stored quality report (its `lengths` block)."""
    lengths = report.get("lengths") or {}
    inp, out, total = (lengths.get(k) or {} for k in ("input", "output", "total"))
    if not inp or not out:
        raise InvalidRequestError(
            "the dataset report has no token lengths",
            fix="re-import the data so its quality report is computed, or pass --examples/--tokens-in/--tokens-out",
        )
    mean_total = float(total.get("mean") or inp["mean"] + out["mean"])
    spread = float(total.get("p95") or mean_total) - mean_total
    return {
        "rows": int(rows if rows is not None else report.get("rows") or 0),
        "avg_tokens_in": float(inp["mean"]),
        "avg_tokens_out": float(out["mean"]),
        "length_cv": max(spread / 1.645 / mean_total, 0.0) if mean_total else 0.5,
        "max_tokens": float(total.get("max") or mean_total),
        "approximate": not lengths.get("exact", False),
    }


def _from_recipe(recipe: Any, stats: dict[str, Any], device: str | None) -> EstimateRequest:
    from vibeflow.recipe.presets import resolve_training

    hyper = resolve_training(recipe)
    rows = int(stats.get("rows") or stats.get("n_examples") or 0)
    split = recipe.data.test_split
    n_eval = int(round(rows * split)) if rows >= 10 else 0
    compute = recipe.compute
    target_device = device or (
        compute.gpu
        if compute.target == "cloud" and compute.gpu
        else "A100-80GB"
        if compute.target == "cloud"
        else "cpu"
    )
    return EstimateRequest(
        base_model=recipe.base_model,
        method=recipe.method,
        device=target_device,
        gpu_count=compute.gpu_count,
        target=compute.target,
        spot=compute.spot,
        provider=compute.cloud,
        n_examples=rows - n_eval,
        n_eval_examples=n_eval,
        avg_tokens_in=float(stats.get("avg_tokens_in", 100.0)),
        avg_tokens_out=float(stats.get("avg_tokens_out", 100.0)),
        max_tokens=int(stats["max_tokens"]) if stats.get("max_tokens") else None,
        length_cv=stats.get("length_cv"),
        max_seq_length=hyper["max_seq_length"],
        num_epochs=hyper.get("num_epochs"),
        max_steps=hyper.get("max_steps"),
        batch_size=hyper["batch_size"],
        gradient_accumulation=hyper["gradient_accumulation"],
        lora_r=hyper["lora_r"],
        lora_target_modules=hyper["lora_target_modules"],
        optimizer=hyper["optimizer"],
        precision=hyper["precision"],
        checkpoint_every=hyper["checkpoint_every"],
        keep_checkpoints=hyper["keep_checkpoints"],
        eval_every=hyper.get("eval_every"),
    )


def _from_plain(data: dict[str, Any]) -> EstimateRequest:
    """A plain dict: EstimateRequest fields, optionally nested under training/compute/data like a recipe."""
    flat = {k: v for k, v in data.items() if k in FIELDS}
    training = dict(data.get("training") or {})
    lora = training.pop("lora", None) or {}
    flat.update({k: v for k, v in training.items() if k in FIELDS})
    for key, value in lora.items():
        if f"lora_{key}" in FIELDS:
            flat[f"lora_{key}"] = value
    compute = data.get("compute") or {}
    if compute.get("gpu"):
        flat["device"] = compute["gpu"]
    for key in ("gpu_count", "target", "spot"):
        if key in compute:
            flat[key] = compute[key]
    block = data.get("data") or {}
    for key in (
        "n_examples",
        "n_eval_examples",
        "avg_tokens_in",
        "avg_tokens_out",
        "max_tokens",
        "length_cv",
    ):
        if key in block:
            flat[key] = block[key]
    if "rows" in block and "n_examples" not in flat:
        flat["n_examples"] = block["rows"]
    if "n_examples" not in flat:
        raise InvalidRequestError(
            "the estimate needs the number of training examples",
            fix="add n_examples (or data.rows) to the request",
        )
    return EstimateRequest.model_validate(flat)


def request_from_recipe(
    source: Any,
    *,
    stats: dict[str, Any] | None = None,
    base_dir: Path | None = None,
    device: str | None = None,
) -> EstimateRequest:
    """EstimateRequest from a Recipe, a recipe-shaped dict, or a plain dict of estimate fields."""
    from vibeflow.recipe.model import Recipe

    recipe = source
    if isinstance(source, dict):
        if (
            "name" not in source
            or not isinstance(source.get("data"), dict)
            or not (source["data"].get("path") or source["data"].get("version"))
        ):
            return _from_plain(source)
        import yaml

        from vibeflow.recipe.loader import parse_recipe

        recipe = parse_recipe(yaml.safe_dump(source))
    if not isinstance(recipe, Recipe):
        raise InvalidRequestError("not a recipe", fix="pass the contents of vibeflow.yaml or estimate fields")
    from vibeflow.recipe.model import resolve_base_model

    recipe = recipe.model_copy(update={"base_model": resolve_base_model(recipe.base_model, base_dir)})
    if not stats:
        if recipe.data.path:
            path = Path(recipe.data.path)
            path = path if path.is_absolute() else (base_dir or Path.cwd()) / path
            stats = data_stats_from_file(path, recipe.data.input_column, recipe.data.output_column)
        else:
            raise InvalidRequestError(
                f"data.version {recipe.data.version!r} is a stored dataset: its size is not known here",
                fix="pass the row count and token lengths (--examples, --tokens-in, --tokens-out) or use the "
                "API, which reads them from the dataset's quality report",
            )
    return _from_recipe(recipe, stats, device)


def estimate_recipe(
    source: Any,
    *,
    stats: dict[str, Any] | None = None,
    base_dir: Path | None = None,
    device: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Estimate:
    """Estimate a recipe; its budget.max_cost_usd / max_hours limits become warnings when exceeded."""
    from vibeflow.recommend.estimator import estimate

    request = request_from_recipe(source, stats=stats, base_dir=base_dir, device=device)
    if overrides:
        request = request.model_copy(update=overrides)
    result = estimate(request)
    if stats is None or stats.get("approximate"):
        result.assumptions.append(
            "token lengths approximated from characters / 4 (import the data for exact "
            "counts in the chosen model's tokenizer)"
        )
    budget = getattr(source, "budget", None) or (source.get("budget") if isinstance(source, dict) else None)
    if budget is not None:
        limits = budget if isinstance(budget, dict) else budget.model_dump()
        chosen = result.cost.chosen
        if limits.get("max_cost_usd") and chosen and chosen.compute_usd > limits["max_cost_usd"]:
            result.warnings.append(
                f"estimated ${chosen.compute_usd:,.2f} exceeds budget.max_cost_usd "
                f"${limits['max_cost_usd']:,.2f}: the run will be refused without an override"
            )
        if limits.get("max_hours") and result.time.seconds / 3600 > limits["max_hours"]:
            result.warnings.append(
                f"estimated {result.time.human} exceeds budget.max_hours {limits['max_hours']:g}"
            )
    return result
