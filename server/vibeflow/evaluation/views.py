"""Shapes stored evaluations for the API, the CLI and the reports: summary, metric table, examples."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from vibeflow.store.models_evaluation import Evaluation, EvaluationExample

# key, label, direction (+1 higher is better, -1 lower is better, 0 closer to 1.0 is better), unit
METRIC_ROWS: tuple[tuple[str, str, int, str], ...] = (
    ("overall", "Overall score (0-100)", 1, "score"),
    ("exact_match", "Exact match", 1, "pct"),
    ("token_precision", "Token precision", 1, "pct"),
    ("token_recall", "Token recall", 1, "pct"),
    ("token_f1", "Token F1", 1, "pct"),
    ("rouge_l", "ROUGE-L", 1, "ratio"),
    ("bleu", "BLEU (0-100)", 1, "bleu"),
    ("semantic_similarity", "Semantic similarity", 1, "ratio"),
    ("length_ratio", "Length ratio (ideal 0.9-1.1)", 0, "ratio"),
    ("perplexity", "Perplexity of the references", -1, "float"),
    ("judge_average", "Judge average (1-5)", 1, "float"),
    ("judge_relevance", "Judge: relevance", 1, "float"),
    ("judge_coherence", "Judge: coherence", 1, "float"),
    ("judge_factuality", "Judge: factuality", 1, "float"),
    ("judge_completeness", "Judge: completeness", 1, "float"),
    ("judge_tone_match", "Judge: tone match", 1, "float"),
    ("stopped_at_eos", "Answers that ended by themselves", 1, "pct"),
)


def _finite(value: Any) -> float | None:
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def metric_table(models: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for key, label, direction, unit in METRIC_ROWS:
        base, tuned = _finite(models["base"].get(key)), _finite(models["tuned"].get(key))
        if base is None and tuned is None:
            continue
        delta = tuned - base if base is not None and tuned is not None else None
        better = None
        if delta is not None and abs(delta) > (0.05 if unit in ("score", "float") else 5e-4):
            closer = abs(tuned - 1.0) < abs(base - 1.0)  # type: ignore[operator]
            better = closer if direction == 0 else (delta > 0) == (direction > 0)
        rows.append(
            {
                "key": key,
                "label": label,
                "unit": unit,
                "base": base,
                "tuned": tuned,
                "delta": delta,
                "better": better,
            }
        )
    return rows


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "pct":
        return f"{100 * value:.1f}%"
    if unit == "bleu":
        return f"{100 * value:.1f}"
    if unit == "score":
        return f"{value:.0f}"
    if unit == "ratio":
        return f"{value:.3f}"
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.3e}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def evaluation_summary(ev: Evaluation) -> dict[str, Any]:
    summary = ev.summary or {}
    return {
        "id": ev.id,
        "run_id": ev.run_id,
        "status": ev.status,
        "stage": ev.stage,
        "progress": round(ev.progress or 0.0, 3),
        "trigger": ev.trigger,
        "options": ev.options,
        "overall_base": ev.overall_base,
        "overall_tuned": ev.overall_tuned,
        "improvement": summary.get("overall", {}).get("improvement"),
        "gate": ev.gate,
        "gate_label": summary.get("gate", {}).get("label"),
        "error": ev.error,
        "created_at": _iso(ev.created_at),
        "started_at": _iso(ev.started_at),
        "finished_at": _iso(ev.finished_at),
        "output_dir": ev.output_dir,
    }


def example_view(example: EvaluationExample) -> dict[str, Any]:
    judge = example.judge or {}
    return {
        "index": example.idx,
        "row": example.row,
        "prompt": example.prompt,
        "reference": example.reference,
        "base": {"output": example.base_output, "scores": example.base_scores, "judge": judge.get("base")},
        "tuned": {
            "output": example.tuned_output,
            "scores": example.tuned_scores,
            "judge": judge.get("tuned"),
        },
    }


def evaluation_detail(ev: Evaluation, examples: list[EvaluationExample]) -> dict[str, Any]:
    out = evaluation_summary(ev)
    out["summary"] = ev.summary or {}
    out["metrics"] = (ev.metrics or {}).get("table", [])
    out["models"] = (ev.metrics or {}).get("models", {})
    out["hints"] = (ev.summary or {}).get("hints", [])
    out["examples"] = [example_view(e) for e in examples]
    return out
