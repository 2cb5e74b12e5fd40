"""Turns the evaluation subprocess's files into metrics: every text metric through our evaluate modules, per model.

Input (an evaluation directory): predictions.jsonl, embeddings.npz, forgetting.json (optional), result.json.
Output: `{"models": {base|tuned: {metric: value}}, "examples": [per-example scores], "forgetting": {...}}`.
Synchronous and CPU-only; the service runs it in a worker thread.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from vibeflow.errors import VibeFlowError
from vibeflow.evaluation.loader import load_metric
from vibeflow.evaluation.significance import differences

MODELS = ("base", "tuned")
RETENTION_ALERT = 0.95  # alert when the tuned model keeps less than 95% of the base's general-knowledge score


def read_outputs(directory: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    try:
        records = [
            json.loads(line)
            for line in (directory / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        result = json.loads((directory / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise VibeFlowError(
            f"the evaluation outputs in {directory} are missing or damaged: {error}",
            fix="run the evaluation again (vibeflow eval RUN)",
        ) from error
    return records, result


def perplexity(logprob_sum: float, tokens: int) -> float | None:
    if tokens <= 0:
        return None
    value = -logprob_sum / tokens
    return math.exp(value) if value < 700 else math.inf


def _text_metrics(
    predictions: list[str], references: list[str]
) -> tuple[dict[str, Any], dict[str, list[float]]]:
    em = load_metric("exact_match").compute(predictions=predictions, references=references, per_example=True)
    f1 = load_metric("token_f1").compute(predictions=predictions, references=references, per_example=True)
    rouge = load_metric("rouge_l").compute(predictions=predictions, references=references, per_example=True)
    bleu = load_metric("bleu").compute(predictions=predictions, references=references, per_example=True)
    length = load_metric("length_ratio").compute(
        predictions=predictions, references=references, per_example=True
    )
    summary = {
        "exact_match": em["exact_match"],
        "token_precision": f1["precision"],
        "token_recall": f1["recall"],
        "token_f1": f1["f1"],
        "rouge_l": rouge["rougeL"],
        "bleu": bleu["bleu"],
        "length_ratio": length["length_ratio"],
        "length_appropriateness": length["appropriateness"],
        "length_alert": length["alert"],
        "too_short_share": length["too_short_share"],
        "too_long_share": length["too_long_share"],
    }
    per_example = {
        "exact_match": em["scores"],
        "token_f1": f1["f1s"],
        "rouge_l": rouge["scores"],
        "bleu": bleu["scores"],
        "length_ratio": length["ratios"],
        "length_appropriateness": length["appropriateness_scores"],
    }
    return summary, per_example


def _similarity(directory: Path, n: int) -> dict[str, list[float]] | None:
    path = directory / "embeddings.npz"
    if not path.is_file():
        return None
    import numpy as np

    with np.load(path) as data:
        reference = data["reference"].tolist()
        sims = {}
        for which in MODELS:
            vectors = data[which].tolist()
            if len(vectors) != n or len(reference) != n:
                return None
            out = load_metric("semantic_similarity").compute(
                predictions=vectors, references=reference, per_example=True
            )
            sims[which] = out["scores"]
    return sims


def forgetting_check(directory: Path) -> dict[str, Any]:
    """General-knowledge quiz: accuracy of each model (highest-likelihood choice) and the tuned/base retention."""
    path = directory / "forgetting.json"
    if not path.is_file():
        return {"status": "skipped", "note": "no general-knowledge set was scored"}
    data = json.loads(path.read_text(encoding="utf-8"))
    questions = data["questions"]
    accuracy: dict[str, float] = {}
    for which in MODELS:
        scores = data["choice_scores"][which]
        correct = [
            max(range(len(choices)), key=choices.__getitem__) == q["answer"]
            for q, choices in zip(questions, scores, strict=True)
        ]
        accuracy[which] = sum(correct) / len(correct) if correct else 0.0
    chance = sum(1 / len(choices) for choices in data["choice_scores"]["base"]) / max(len(questions), 1)
    return retention_verdict(accuracy["base"], accuracy["tuned"], chance, len(questions))


def retention_verdict(base: float, tuned: float, chance: float, questions: int) -> dict[str, Any]:
    """Retention = tuned / base accuracy; alert below 95%; inconclusive when the base is at chance level."""
    out: dict[str, Any] = {
        "questions": questions,
        "base_accuracy": base,
        "tuned_accuracy": tuned,
        "chance_accuracy": chance,
        "retention": tuned / base if base > 0 else None,
        "threshold": RETENTION_ALERT,
        "alert": False,
    }
    margin = 2 * math.sqrt(chance * (1 - chance) / max(questions, 1))  # two standard errors of guessing
    if base <= chance + margin:
        out["status"] = "inconclusive"
        out["note"] = (
            f"the base model answers {base:.0%} of the general questions, about chance level ({chance:.0%}), "
            "so forgetting cannot be measured with this base"
        )
        return out
    if out["retention"] < RETENTION_ALERT:
        out["status"] = "alert"
        out["alert"] = True
        out["note"] = (
            f"the tuned model keeps {out['retention']:.0%} of the base model's general knowledge (below "
            f"{RETENTION_ALERT:.0%}): it may be over-trained — try fewer epochs, a lower learning rate or LoRA "
            "with a smaller rank"
        )
    else:
        out["status"] = "ok"
        out["note"] = f"the tuned model keeps {out['retention']:.0%} of the base model's general knowledge"
    return out


def score_directory(directory: Path) -> dict[str, Any]:
    """Every automatic metric for base and tuned, per model and per example."""
    records, result = read_outputs(directory)
    references = [r["reference"] for r in records]
    models: dict[str, dict[str, Any]] = {}
    per_model: dict[str, dict[str, list[Any]]] = {}
    for which in MODELS:
        predictions = [r[which]["output"] for r in records]
        summary, per_example = _text_metrics(predictions, references)
        lp = sum(r[which]["ref_logprob"] for r in records)
        tokens = sum(r[which]["ref_tokens"] for r in records)
        summary["perplexity"] = perplexity(lp, tokens)
        summary["stopped_at_eos"] = sum(r[which]["stop"] == "eos" for r in records) / max(len(records), 1)
        summary["mean_output_tokens"] = sum(r[which]["output_tokens"] for r in records) / max(len(records), 1)
        per_example["perplexity"] = [
            perplexity(r[which]["ref_logprob"], r[which]["ref_tokens"]) for r in records
        ]
        models[which], per_model[which] = summary, per_example
    similarity = _similarity(directory, len(records))
    for which in MODELS:
        if similarity is not None:
            per_model[which]["semantic_similarity"] = similarity[which]
            models[which]["semantic_similarity"] = sum(similarity[which]) / max(len(records), 1)
        else:
            models[which]["semantic_similarity"] = None
    examples = []
    for i, record in enumerate(records):
        examples.append(
            {
                "index": record["index"],
                "row": record.get("row"),
                "prompt": record["prompt"],
                "reference": record["reference"],
                **{
                    which: {
                        "output": record[which]["output"],
                        "output_tokens": record[which]["output_tokens"],
                        "stop": record[which]["stop"],
                        "scores": {name: values[i] for name, values in per_model[which].items()},
                    }
                    for which in MODELS
                },
            }
        )
    return {
        "models": models,
        "examples": examples,
        "differences": differences(examples),
        "forgetting": forgetting_check(directory),
        "result": result,
    }
