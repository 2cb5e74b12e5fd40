"""Plain-text rendering of an evaluation for the terminal: verdict, metric table with arrows, hints, examples."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vibeflow.evaluation.views import fmt


def _arrow(row: dict[str, Any]) -> str:
    return {True: "↑ better", False: "↓ worse", None: "="}[row["better"]]


_DIFF_LABELS = {"token_f1": "Token F1", "rouge_l": "ROUGE-L", "semantic_similarity": "Semantic similarity"}


def difference_lines(differences: dict[str, Any]) -> list[str]:
    """Tuned minus base per metric with its paired-bootstrap 95% interval (see evaluation/significance.py)."""
    rows = [(k, d) for k, d in differences.items() if d.get("mean") is not None]
    if not rows:
        return []
    n = rows[0][1]["n"]
    lines = ["", f"Tuned - base, 95% bootstrap interval over {n} held-out examples:"]
    for key, d in rows:
        lines.append(
            f"  {_DIFF_LABELS.get(key, key):<22}{d['mean']:+.3f}  [{d['low']:+.3f}, {d['high']:+.3f}]  {d['verdict']}"
        )
    return lines


def render_text(detail: dict[str, Any], examples: int = 2, command: Callable[[str], str] = str) -> str:
    """The evaluation for a terminal; `command` turns a suggested `vibeflow …` line into one that runs here."""
    lines = [f"Evaluation {detail['id']} of run {detail['run_id']}: {detail['status']}"]
    if detail["status"] != "completed":
        error = detail.get("error") or {}
        if error:
            lines += [f"  error: {error.get('message')}", f"  fix: {error.get('fix')}"]
        else:
            lines.append(f"  stage {detail.get('stage')}, {100 * (detail.get('progress') or 0):.0f}% done")
        return "\n".join(lines)
    summary = detail["summary"]
    overall = summary["overall"]
    lines += [
        "",
        f"Overall score: {overall['tuned']:.0f}/100 (base {overall['base']:.0f}/100, {overall['improvement']:+.1f} points)",
        f"Verdict: {summary['gate']['label']} — {summary['gate']['detail']}",
        "",
        summary["executive_summary"],
    ]
    if summary.get("demo_base"):
        lines.append(
            "Note: the base is the offline demo model (random weights); these numbers only show the pipeline."
        )
    lines += ["", f"{'metric':<36}{'base':>12}{'tuned':>12}  change"]
    for row in detail["metrics"]:
        lines.append(
            f"{row['label']:<36}{fmt(row['base'], row['unit']):>12}{fmt(row['tuned'], row['unit']):>12}  {_arrow(row)}"
        )
    lines += difference_lines(summary.get("differences") or {})
    length = summary["length"]["tuned"]
    if length.get("alert"):
        lines.append(f"⚠ length ratio {length['ratio']:.2f}: answers are {length['alert'].replace('_', ' ')}")
    lines += [
        "",
        f"Judge: {summary['judge'].get('note', '')}",
        f"Forgetting check: {summary['forgetting'].get('note', '')}",
    ]
    if detail["hints"]:
        lines += [
            "",
            "Performance below expectations — possible reasons:"
            if summary.get("below_expectations")
            else "Hints:",
        ]
        for i, hint in enumerate(detail["hints"], start=1):
            lines += [
                f" {i}. {hint['title']}: {hint['detail']}",
                f"    → {hint['action']['label']}: {hint['action']['command']}",
            ]
    for example in detail["examples"][:examples]:
        prompt = example["prompt"][-1]["content"] if example["prompt"] else ""
        lines += [
            "",
            f"Example {example['index'] + 1}: {prompt[:200]}",
            f"  reference: {example['reference'][:200]}",
            f"  base:      {example['base']['output'][:200]}",
            f"  tuned:     {example['tuned']['output'][:200]}",
        ]
    lines += [
        "",
        "Full report: " + command(f"vibeflow eval export {detail['id']} --html report.html --pdf report.pdf"),
    ]
    return "\n".join(lines)
