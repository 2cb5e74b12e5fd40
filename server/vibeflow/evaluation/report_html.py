"""Self-contained HTML report of an evaluation: executive summary, charts (inline SVG), tables, examples, hints."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any

from vibeflow.evaluation.charts import grouped_bars, score_bars
from vibeflow.evaluation.views import fmt

CHART_METRICS = (
    ("token_f1", "Token F1"),
    ("exact_match", "Exact match"),
    ("rouge_l", "ROUGE-L"),
    ("bleu", "BLEU"),
    ("semantic_similarity", "Similarity"),
    ("length_appropriateness", "Length fit"),
)
STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1d2329;max-width:980px;margin:24px auto;padding:0 16px}
h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #e3e6ea;padding-bottom:4px}
.muted{color:#68727d}.card{border:1px solid #e3e6ea;border-radius:8px;padding:14px 18px;margin:12px 0}
.gate-ready{border-left:6px solid #2e9b4f}.gate-review{border-left:6px solid #d98c00}.gate-retrain{border-left:6px solid #c83737}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eef1f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}.up{color:#2e9b4f}.down{color:#c83737}
.ex{display:grid;grid-template-columns:1fr 1fr;gap:10px}.ex pre{white-space:pre-wrap;word-break:break-word;background:#f7f8fa;
padding:8px;border-radius:6px;margin:4px 0;font-size:13px}.warn{background:#fff6e5;border:1px solid #f0d39b}
"""


def _e(text: Any) -> str:
    return escape(str(text if text is not None else ""))


def _arrow(row: dict[str, Any]) -> str:
    if row["better"] is True:
        return '<span class="up">▲ better</span>'
    if row["better"] is False:
        return '<span class="down">▼ worse</span>'
    return "="


def _chart(detail: dict[str, Any]) -> str:
    models = detail["models"]
    rows = []
    for key, label in CHART_METRICS:
        base, tuned = models["base"].get(key), models["tuned"].get(key)
        if isinstance(base, int | float) and isinstance(tuned, int | float):
            rows.append((label, max(0.0, float(base)), max(0.0, float(tuned))))
    return grouped_bars(rows)


def _examples(detail: dict[str, Any], limit: int) -> str:
    out = []
    for example in detail["examples"][:limit]:
        prompt = "\n".join(f"{t['role']}: {t['content']}" for t in example["prompt"])
        cells = []
        for which, title in (("base", "Base model"), ("tuned", "Fine-tuned")):
            side = example[which]
            scores = side["scores"]
            judge = side.get("judge")
            line = f"F1 {100 * (scores.get('token_f1') or 0):.0f}% · ROUGE-L {scores.get('rouge_l') or 0:.2f}"
            if judge:
                line += f" · judge {judge['average']:.1f}/5"
            cells.append(f"<div><b>{title}</b> <span class='muted'>{_e(line)}</span><pre>{_e(side['output'])}</pre>"
                         + (f"<div class='muted'>{_e(judge.get('feedback'))}</div>" if judge else "") + "</div>")  # fmt: skip
        out.append(
            f"<div class='card'><b>Example {example['index'] + 1}</b>"
            f"<pre>{_e(prompt)}</pre><div class='muted'>Reference</div><pre>{_e(example['reference'])}</pre>"
            f"<div class='ex'>{''.join(cells)}</div></div>"
        )
    return "".join(out)


def render_html(detail: dict[str, Any], example_limit: int = 10) -> str:
    summary = detail["summary"]
    overall, gate = summary["overall"], summary["gate"]
    info = summary.get("info", {})
    table = "".join(
        f"<tr><td>{_e(r['label'])}</td><td class='num'>{fmt(r['base'], r['unit'])}</td>"
        f"<td class='num'>{fmt(r['tuned'], r['unit'])}</td><td>{_arrow(r)}</td></tr>"
        for r in detail["metrics"]
    )
    hints = "".join(
        f"<li><b>{_e(h['title'])}</b>: {_e(h['detail'])}<br><span class='muted'>→ {_e(h['action']['label'])}: "
        f"<code>{_e(h['action']['command'])}</code></span></li>"
        for h in detail["hints"]
    )
    parts = summary["components"]
    formula = (
        f"Overall = 0.4 × accuracy (token F1) + 0.4 × judge + 0.2 × length appropriateness"
        f"{'' if parts['tuned'].get('judge') is not None else ' — no judge, so accuracy and length are reweighted to 2/3 and 1/3'}."
    )
    demo = (
        "<div class='card warn'>The base model is the offline demo base (random weights): these numbers only show "
        "that the pipeline works.</div>"
        if summary.get("demo_base")
        else ""
    )
    length = summary["length"]["tuned"]
    length_alert = (
        f"<div class='card warn'>Length ratio {length['ratio']:.2f}: the fine-tuned answers are "
        f"{_e(str(length['alert']).replace('_', ' '))} (alert below 0.7 or above 1.3).</div>"
        if length.get("alert")
        else ""
    )
    forgetting = summary["forgetting"]
    forget_html = _e(forgetting.get("note", ""))
    if forgetting.get("base_accuracy") is not None:
        forget_html += (f" <span class='muted'>(base {100 * forgetting['base_accuracy']:.0f}%, fine-tuned "
                        f"{100 * forgetting['tuned_accuracy']:.0f}% on {forgetting['questions']} questions)</span>")  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation {_e(detail["id"])} — {_e(detail["run_id"])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head><body>
<h1>Model evaluation: {_e(detail["run_id"])}</h1>
<div class="muted">Evaluation {_e(detail["id"])} · {_e(detail.get("finished_at") or "")} · {info.get("examples", "?")} held-out
examples · {_e(info.get("decoding", ""))} decoding · {_e(info.get("device", ""))}</div>
{demo}
<div class="card gate-{_e(gate["key"])}"><h2 style="border:0;margin:0">Overall score: {overall["tuned"]:.0f}/100 —
{_e(gate["label"])}</h2><p>Base model {overall["base"]:.0f}/100 · improvement {overall["improvement"]:+.1f} points</p>
<p>{_e(summary["executive_summary"])}</p>{score_bars(overall["base"], overall["tuned"])}
<p class="muted">{_e(formula)} Gate: above 70 ready to deploy, 50–70 review examples, below 50 retrain.</p></div>
{length_alert}
<h2>Metrics: base vs fine-tuned</h2>{_chart(detail)}
<table><thead><tr><th>Metric</th><th>Base</th><th>Fine-tuned</th><th>Change</th></tr></thead><tbody>{table}</tbody></table>
<h2>AI judge</h2><p>{_e(summary["judge"].get("note", ""))}</p>
<h2>Forgetting check</h2><p>{forget_html}</p>
<h2>{"Performance below expectations" if summary.get("below_expectations") else "Hints"}</h2>
{"<ol>" + hints + "</ol>" if hints else "<p>No problems found.</p>"}
<h2>Before / after examples</h2>{_examples(detail, example_limit)}
<p class="muted">Settings: {_e(info.get("chat_template", ""))} chat template; embeddings: {_e(info.get("embedding_model", ""))};
max new tokens {info.get("max_new_tokens", "?")}. Generated by VibeFlow.</p>
</body></html>
"""


def write_html(detail: dict[str, Any], path: Path) -> Path:
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.partial")
    staged.write_text(render_html(detail), encoding="utf-8")
    os.replace(staged, path)
    return path.resolve()
