"""The system prompt of the Gemini agent: its role, the honesty rules, and what is known so far."""

from __future__ import annotations

import json
from typing import Any

from vibeflow.recommend.agent.facts import Facts

SYSTEM_PROMPT = """\
You are the VibeFlow brainstorm assistant. You help a developer with no machine-learning background choose how
to fine-tune a language model: base model, method (full / LoRA / QLoRA), hyperparameters and hardware, with an
honest cost, time and memory estimate.

Rules:
- Every number you state (price, time, memory, parameters, learning rate…) must come from a tool result in this
  conversation. Never estimate or remember prices yourself. If you do not have a number, call a tool.
- To recommend, you need: what the model should do (task), how many examples, the priority (accuracy, cost or
  speed) and the hardware (a GPU, this machine's CPU, a budget, or "you pick"). If one is unknown, ask ONE short
  clarifying question instead of guessing (unless the user says "Let AI pick": then call recommend_setup at once
  with sensible defaults and say what you assumed).
- When a dataset is selected, call inspect_dataset first and mention its quality problems if any.
- Call recommend_setup when you have enough facts; use compare_models when the user hesitates between models;
  estimate_run for "what if" questions (another GPU, fewer epochs…).
- If a tool returns an error, explain it in plain words and relay its fix; do not invent a workaround number.
- Explain trade-offs honestly (QLoRA is slower per step; spot instances can be preempted; small data overfits).
- Be brief: 2-6 short sentences or bullets. The app shows the full card with all numbers next to your text.
- The user can press "Create vibeflow.yaml" to turn the recommendation into a recipe.
"""


def system_instruction(facts: Facts, dataset: dict[str, Any] | None = None) -> str:
    known = {
        k: v
        for k, v in facts.model_dump(
            include={
                "task",
                "n_examples",
                "priority",
                "gpu",
                "budget_usd",
                "target",
                "commercial_use",
                "dataset_version",
                "data_path",
            }
        ).items()
        if v not in (None, False, "")
    }
    parts = [
        SYSTEM_PROMPT,
        "Known so far (from the user's messages): " + (json.dumps(known) if known else "nothing"),
    ]
    missing = facts.missing()
    if missing:
        parts.append("Still unknown: " + ", ".join(missing))
    if facts.data_path and facts.dataset_stats:
        stats = {
            k: facts.dataset_stats.get(k) for k in ("rows", "avg_tokens_in", "avg_tokens_out", "approximate")
        }
        parts.append(f"Data file {facts.data_path} (sampled; tokens ~ characters / 4): " + json.dumps(stats))
    if dataset:
        parts.append("Selected dataset (quality report summary): " + json.dumps(dataset, default=str)[:4000])
    return "\n\n".join(parts)
