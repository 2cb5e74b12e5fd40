"""Overall 0–100 score, quality gate and "performance below expectations" hints (formula from the product docs).

    accuracy  = 100 × mean token F1 against the reference (an exact match scores 100)
    judge     = 100 × (mean LLM-judge rubric score − 1) / 4          (rubric scores are 1–5)
    length    = 100 × mean length appropriateness                     (1 inside 0.9–1.1× the reference length)
    overall   = 0.4 × accuracy + 0.4 × judge + 0.2 × length
    without a judge: overall = (0.4 × accuracy + 0.2 × length) / 0.6

Gate on the tuned model's overall score: > 70 ready to deploy, 50–70 review examples first, < 50 retrain.
"""

from __future__ import annotations

from typing import Any

READY, REVIEW = 70.0, 50.0
WEIGHTS = {"accuracy": 0.4, "judge": 0.4, "length": 0.2}
GATES = {
    "ready": ("Ready to deploy", "The tuned model clears the quality bar; deploy it (vibeflow deploy RUN)."),
    "review": (
        "Review examples before deploying",
        "Scores are in the middle band: read the side-by-side examples to decide whether it is good enough.",
    ),
    "retrain": ("Retraining recommended", "The tuned model is below the quality bar; see the hints below."),
}
SMALL_DATASET = 1000


def components(model_metrics: dict[str, Any], judge_mean: float | None) -> dict[str, float | None]:
    return {
        "accuracy": 100.0 * float(model_metrics.get("token_f1") or 0.0),
        "judge": None if judge_mean is None else 100.0 * (judge_mean - 1.0) / 4.0,
        "length": 100.0 * float(model_metrics.get("length_appropriateness") or 0.0),
    }


def overall_score(parts: dict[str, float | None]) -> float:
    used = {k: v for k, v in parts.items() if v is not None}
    weight = sum(WEIGHTS[k] for k in used)
    return round(sum(WEIGHTS[k] * v for k, v in used.items()) / weight, 1) if weight else 0.0


def gate(score: float) -> str:
    if score > READY:
        return "ready"
    if score >= REVIEW:
        return "review"
    return "retrain"


def _hint(kind: str, title: str, detail: str, label: str, command: str, priority: int) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "detail": detail,
        "action": {"label": label, "command": command},
        "priority": priority,
    }


def hints(context: dict[str, Any], scores: dict[str, Any]) -> list[dict[str, Any]]:
    """Why the score may be low and what to do; each hint names a concrete action (a command to run)."""
    run_id = context.get("run_id", "RUN")
    tuned, base = scores["tuned"]["overall"], scores["base"]["overall"]
    gain = tuned - base
    below = tuned <= READY or gain <= 0
    out: list[dict[str, Any]] = []
    if below:
        quality = context.get("data_score")
        ref = context.get("train_version") or "DATASET@N"
        if quality is not None and quality < 80:
            detail = f"The training data scores {quality:.0f}/100 in the quality report; some examples may have issues."
            priority = 1
        else:
            detail = (
                "Some training examples may be inconsistent with what you expect; look at the examples where the "
                "tuned model scored lowest and at the data quality report."
            )
            priority = 3
        out.append(_hint("data_quality", "Training data quality", detail, "Review data quality",
                         f"vibeflow data report {ref}", priority))  # fmt: skip
        rows = context.get("train_rows")
        if rows is not None and rows < SMALL_DATASET:
            out.append(_hint(
                "data_size", f"Too few training examples ({rows:,} is on the small side)",
                f"Fine-tuning usually needs {SMALL_DATASET:,}+ varied examples for a new behaviour to stick.",
                "Add more examples", "vibeflow data import MORE_EXAMPLES.csv, then vibeflow train", 1 if rows < 300 else 2,
            ))  # fmt: skip
        out.append(_hyperparameter_hint(context, gain, run_id))
        out.append(_model_hint(context))
    length = scores["tuned"].get("length_alert")
    if length:
        verbose = length == "too_long"
        out.append(_hint(
            "length", "Answers are much " + ("longer" if verbose else "shorter") + " than the references",
            "The tuned model's answers are on average "
            + ("over 1.3×" if verbose else "under 0.7×") + " the reference length"
            + (" (it may not have learned to stop: check that training ended each answer with EOS)." if verbose
               else " (check max_seq_length truncation and the evaluation's max_new_tokens)."),
            "Try different settings", f"vibeflow runs retry {run_id} --dry-run", 2,
        ))  # fmt: skip
    forgetting = context.get("forgetting") or {}
    if forgetting.get("alert"):
        out.append(_hint(
            "forgetting", "The tuned model forgot general knowledge", forgetting.get("note", ""),
            "Retry with gentler training", f"vibeflow runs retry {run_id} --set training.learning_rate=5.0e-5", 1,
        ))  # fmt: skip
    return sorted(out, key=lambda h: h["priority"])


def _hyperparameter_hint(context: dict[str, Any], gain: float, run_id: str) -> dict[str, Any]:
    loss, eval_loss = context.get("loss"), context.get("eval_loss")
    steps, epochs = context.get("steps"), context.get("num_epochs")
    if loss is not None and eval_loss is not None and eval_loss > 1.2 * loss:
        detail = f"Eval loss ({eval_loss:.3g}) is well above training loss ({loss:.3g}): the run may be overfitting."
        command = f"vibeflow runs retry {run_id} --set training.num_epochs={max(1, int(epochs or 2) - 1)}"
    elif steps is not None and steps < 100:
        detail = f"The run trained only {steps} steps; the model may not have learned the task yet."
        if context.get("max_steps"):  # max_steps wins over epochs: raise it
            command = f"vibeflow runs retry {run_id} --set training.max_steps={max(100, 4 * steps)}"
        else:
            command = f"vibeflow runs retry {run_id} --set training.num_epochs={int(epochs or 1) + 2}"
    elif gain <= 0:
        detail = "The tuned model is not better than the base: the learning rate may be too low or too high."
        command = f"vibeflow runs retry {run_id} --dry-run"
    else:
        detail = "Learning rate, epochs or LoRA rank may not be optimal; the aggressive preset trains harder."
        command = f"vibeflow runs retry {run_id} --dry-run"
    return _hint("hyperparameters", "Hyperparameters might not be optimal", detail, "Try different settings",
                 command, 2)  # fmt: skip


def _model_hint(context: dict[str, Any]) -> dict[str, Any]:
    rows = context.get("train_rows") or 1000
    command = f"vibeflow recommend --task 'YOUR TASK' --examples {rows} --priority accuracy"
    if context.get("base_is_demo"):
        return _hint(
            "model_size", "The base is the offline demo model (random weights)",
            "vibeflow-demo-tiny exists to show the pipeline; it cannot learn a real task. Use a real base model.",
            "Try a larger model", command, 0,
        )  # fmt: skip
    return _hint("model_size", "The model might be too small for this task",
                 f"Base model {context.get('base_model')}: a larger base often fixes a quality plateau.",
                 "Try a larger model", command, 3)  # fmt: skip


def summary_text(
    scores: dict[str, Any], gate_key: str, judge: dict[str, Any], forgetting: dict[str, Any]
) -> str:
    """An executive summary in plain words."""
    tuned, base = scores["tuned"]["overall"], scores["base"]["overall"]
    gain = tuned - base
    trend = "better than" if gain > 0.5 else "worse than" if gain < -0.5 else "about as good as"
    parts = [
        f"The fine-tuned model scores {tuned:.0f}/100, {trend} the base model ({base:.0f}/100, "
        f"{gain:+.0f} points). Verdict: {GATES[gate_key][0].lower()}."
    ]
    acc_t, acc_b = scores["tuned"]["components"]["accuracy"], scores["base"]["components"]["accuracy"]
    parts.append(f"Its answers share {acc_t:.0f}% of the reference wording (base: {acc_b:.0f}%).")
    if judge.get("status") == "ok":
        parts.append(f"An AI judge (Gemini) rated {judge['sample']} answers {judge['means']['tuned']['average']:.1f}/5 "
                     f"(base {judge['means']['base']['average']:.1f}/5).")  # fmt: skip
    else:
        parts.append("No AI judge was used: " + judge.get("note", "skipped") + ".")
    if forgetting.get("status") in ("ok", "alert"):
        parts.append(forgetting["note"][0].upper() + forgetting["note"][1:] + ".")
    return " ".join(parts)
