"""Templated questions, suggested replies and answers: the offline agent's whole vocabulary.

Every number in these texts is read from the estimator's output; nothing here computes or invents one.
"""

from __future__ import annotations

from typing import Any

from vibeflow.recommend.agent.facts import Facts, Question

QUESTIONS: dict[Question, tuple[str, list[str]]] = {
    "task": (
        'What should the fine-tuned model do? A sentence is enough, e.g. "answer customer-support '
        'tickets in our tone" or "extract invoice fields as JSON".',
        ["A customer-support bot", "Extract invoice fields as JSON", "Summarise long documents"],
    ),
    "n_examples": (
        "How many training examples do you have (or expect)? Pick a dataset in the Data panel and I will "
        "read its size and token lengths from the quality report.",
        ["About 500 examples", "About 5,000 examples", "Over 100,000 examples"],
    ),
    "priority": (
        "What matters most: accuracy, low cost, or speed?",
        ["Accuracy matters most", "Keep the cost low", "As fast as possible"],
    ),
    "hardware": (
        "Which hardware? Name the GPU you have or want (A100, L40S, RTX 4090, H100…), train on this machine's "
        "CPU, give a budget, or let me pick the best-value cloud GPU.",
        [
            "I have an A100",
            "Pick the best cloud GPU for me",
            "Train on this machine (CPU)",
            "My budget is $20",
        ],
    ),
}
AFTER_RECOMMENDATION = [
    "Compare with other models",
    "Make it cheaper",
    "Why these settings?",
    "Create vibeflow.yaml",
]
AFTER_ERROR = ["Let AI pick", "Train on this machine (CPU)", "Pick the best cloud GPU for me"]


def usd(value: float) -> str:
    return f"${value:,.2f}" if value < 1000 else f"${value:,.0f}"


def question(missing: list[Question]) -> tuple[str, list[str], Question]:
    first = missing[0]
    text, replies = QUESTIONS[first]
    return text, list(replies) + ["Let AI pick"], first


def known_line(facts: Facts) -> str:
    parts = []
    if facts.task:
        parts.append(f"task “{facts.task[:80]}”")
    if facts.n_examples is not None:
        parts.append(
            f"{facts.n_examples:,} examples"
            + (f" ({facts.dataset_version})" if facts.dataset_version else "")
        )
    if facts.priority:
        parts.append(f"priority {facts.priority}")
    if facts.gpu:
        parts.append("this machine's CPU" if facts.gpu == "cpu" else f"GPU {facts.gpu}")
    if facts.budget_usd is not None:
        parts.append(f"budget {usd(facts.budget_usd)}")
    return ", ".join(parts)


def estimate_line(est: dict[str, Any]) -> str:
    time = est["time"]
    cost = est["cost"]
    chosen = cost.get("chosen")
    mem = est["memory"]
    fit = next((f for f in mem.get("fits", []) if f["device"] == est["device"]), None)
    money = "$0 (your own hardware)"
    if chosen and chosen["tier"] != "local":
        tier = "spot" if chosen["tier"] == "spot" else "on-demand"
        money = f"{usd(chosen['compute_usd'])} {tier} ({usd(chosen['low_usd'])}–{usd(chosen['high_usd'])}, {cost['price_snapshot']})"
    memory = f"{mem['total_gb']:.1f} GB peak memory" + (
        f" ({fit['status']}, {fit['usage_pct']:.0f}% of {est['device']})" if fit else ""
    )
    return (
        f"Time ≈ {time['human']} (range {_human(time['low_s'])}–{_human(time['high_s'])}) · cost {money} · "
        f"{memory} · confidence {est['confidence']['level']}."
    )


def _human(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def recommendation_text(rec: dict[str, Any], est: dict[str, Any], assumed: list[str] | None = None) -> str:
    h = rec["hyperparameters"]
    where = (
        "this machine"
        if rec["device"] == "cpu"
        else f"{rec['device']} ({rec['target']}{', spot' if rec['spot'] else ''})"
    )
    lines = [
        f"I recommend {rec['model_name']} ({rec['hf_id']}) with {rec['method'].upper()} on {where}, "
        f"preset {rec['preset']}.",
        estimate_line(est),
        f"Settings: learning rate {h['learning_rate']:g}, {h['num_epochs']:g} epochs, batch {h['batch_size']} × "
        f"{h['gradient_accumulation']}, max_seq_length {h['max_seq_length']}"
        + (f", LoRA rank {h['lora_r']} (alpha {h['lora_alpha']})" if h.get("lora_r") else "")
        + ".",
    ]
    if assumed:
        lines.append("Assumed (tell me if it is wrong): " + "; ".join(assumed) + ".")
    lines.append("Why these settings?")
    lines += [f"• {reason}" for reason in rec["reasons"][:8]]
    tips = est.get("tips") or []
    if tips:
        lines.append("Tips to reduce cost:")
        for tip in tips[:3]:
            saving = usd(tip["saving_usd"]) if tip["saving_usd"] else _human(tip["saving_s"])
            lines.append(f"• {tip['action']}: saves {saving} ({tip['saving_pct']:.0f}%) — {tip['tradeoff']}")
    lines += [f"⚠ {w}" for w in rec.get("warnings", [])]
    return "\n".join(lines)


def reasons_text(rec: dict[str, Any]) -> str:
    return "Why these settings?\n" + "\n".join(f"• {reason}" for reason in rec["reasons"])


def comparison_text(rows: list[dict[str, Any]]) -> str:
    lines = ["Side by side (same data, settings and hardware; every figure from the estimator):"]
    for row in rows:
        if "error" in row:
            lines.append(f"• {row['model_name']}: {row['error']} — {row['fix']}")
            continue
        money = (
            "$0 (local)"
            if row["cost_tier"] == "local"
            else f"{usd(row['cost_usd'])} {row['cost_tier'].replace('_', '-')}"
        )
        lines.append(
            f"• {row['model_name']} ({row['params_b']:g}B, {row['license']}): {row['method'].upper()} on {row['device']}, "
            f"{row['memory_gb']:.1f} GB ({row['memory_status']}), {row['time_human']}, {money}"
            + (f" — {row['note']}" if row.get("note") else "")
        )
    return "\n".join(lines)


def error_text(message: str, fix: str) -> str:
    return f"I can't recommend a setup for that yet: {message}.\nWhat to do: {fix}"


def offline_notice(reason: str, detail: str | None = None) -> str:
    why = {
        "no_key": "no Gemini API key is set (set GEMINI_API_KEY, or 'VibeFlow: Set Gemini API Key')",
        "disabled": "Gemini is disabled (VIBEFLOW_GEMINI_DISABLE)",
        "network": "Gemini cannot be reached",
        "timeout": "Gemini did not answer in time",
        "api_error": "Gemini returned an error",
        "bad_reply": "Gemini's reply could not be used",
        "unknown_tool": "Gemini asked for a tool that does not exist",
        "too_many_calls": "Gemini kept calling tools without answering",
    }.get(reason, "Gemini is unavailable")
    text = f"Offline mode: {why}. Answers come from the deterministic recommender — same numbers, no prose."
    return f"{text} ({detail})" if detail else text
