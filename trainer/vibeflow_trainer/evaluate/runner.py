"""Runs one evaluation end to end: sample the held-out split, generate with base and tuned, score, write files.

Files written to output_dir (each atomically): predictions.jsonl (one line per example: prompt, reference, both
outputs, reference log-likelihood under both models), embeddings.npz (reference/base/tuned vectors for
semantic similarity), forgetting.json (general-knowledge quiz answers of both models) and, last, result.json.
Progress goes out as `stage` and `progress` events in the training event format.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

from vibeflow_trainer.data import _check, _read_rows
from vibeflow_trainer.errors import DatasetFormatError, TrainerError, classify
from vibeflow_trainer.evaluate.spec import EvalSpec
from vibeflow_trainer.events import EventWriter


class _Stopped(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _on_signal(signum: int, _frame: Any) -> None:
    raise _Stopped(143 if signum == signal.SIGTERM else 130)


def load_examples(spec: EvalSpec) -> tuple[list[dict[str, Any]], int]:
    """Seeded sample of the held-out conversations that end in an assistant turn; (examples, total)."""
    path = Path(spec.eval_path)
    if not path.is_file():
        raise DatasetFormatError(
            f"held-out file not found: {path}",
            "evaluate a run that has a test split (recipe data.test_split > 0)",
        )
    rows = []
    for row, messages in _read_rows(path):
        conversation = _check(path, row, messages)
        if any(turn["role"] == "assistant" for turn in conversation):
            rows.append({"row": row, "messages": conversation})
    if not rows:
        raise DatasetFormatError(
            f"{path.name} has no conversation with an assistant turn", "check the test split"
        )
    total = len(rows)
    if spec.max_examples and total > spec.max_examples:
        picked = sorted(random.Random(spec.seed).sample(range(total), spec.max_examples))
        rows = [rows[i] for i in picked]
    return rows, total


def load_general_set(path: str | None) -> list[dict[str, Any]]:
    if not path:
        return []
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            items.append(item)
    return items


def _write_atomic(path: Path, text: str) -> None:
    staged = path.with_name(f".{path.name}.partial")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)


class _Reporter:
    """Progress events at most every 0.5 s per phase (plus the last one)."""

    def __init__(self, events: EventWriter) -> None:
        self.events = events
        self.last = 0.0

    def phase(self, name: str) -> Any:
        def report(done: int, total: int) -> None:
            now = time.monotonic()
            if done >= total or now - self.last >= 0.5:
                self.last = now
                self.events.emit("progress", phase=name, done=done, total=total)

        return report


def default_max_new_tokens(reference_lengths: list[int]) -> int:
    """1.25 x the 90th-percentile reference length + 16, within [32, 512]: room for a full answer without
    letting one outlier reference make every generation (and a rambling base model) run 3x longer."""
    ordered = sorted(reference_lengths)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else 0
    return max(32, min(512, int(1.25 * p90) + 16))


def evaluate(spec: EvalSpec, events: EventWriter) -> dict[str, Any]:
    from vibeflow_trainer.evaluate import compute
    from vibeflow_trainer.evaluate.models import load_pair

    out = Path(spec.output_dir)
    started = time.time()
    report = _Reporter(events)
    events.emit("stage", stage="preprocessing")
    examples, total = load_examples(spec)
    quiz = load_general_set(spec.general_set_path)
    events.emit("stage", stage="model_loading", detail={"examples": len(examples), "held_out_rows": total})
    import torch

    torch.manual_seed(spec.seed)
    pair = load_pair(spec)
    tok = pair.tokenizer
    prompts, refs, truncated = [], [], 0
    for example in examples:
        prompt, reference = compute.split_example(example["messages"])
        ids, cut = compute.prompt_ids(tok, prompt, spec.max_prompt_tokens)
        truncated += cut
        example.update(prompt=prompt, reference=reference)
        prompts.append(ids)
        refs.append(compute.reference_ids(tok, prompt, reference, ids))
    max_new = spec.max_new_tokens or default_max_new_tokens([len(r) for r in refs])
    outputs: dict[str, list[compute.Generated]] = {}
    ref_logprobs: dict[str, list[tuple[float, int]]] = {}
    quiz_scores: dict[str, list[list[float]]] = {}
    events.emit("stage", stage="generating", detail={"max_new_tokens": max_new, "device": pair.device.type})
    for which in ("base", "tuned"):
        with pair.use(which) as model:
            outputs[which] = compute.generate(
                model, tok, prompts, max_new_tokens=max_new, batch_size=spec.batch_size,
                temperature=spec.temperature, device=pair.device, progress=report.phase(f"generate_{which}"),
            )  # fmt: skip
    events.emit("stage", stage="perplexity")
    for which in ("base", "tuned"):
        with pair.use(which) as model:
            ref_logprobs[which] = compute.sequence_logprobs(
                model, list(zip(prompts, refs, strict=True)), batch_size=spec.batch_size,
                device=pair.device, progress=report.phase(f"perplexity_{which}"),
            )  # fmt: skip
    events.emit("stage", stage="embedding", detail={"embedding_model": spec.embedding_model})
    texts = (
        [e["reference"] for e in examples]
        + [g.text for g in outputs["base"]]
        + [g.text for g in outputs["tuned"]]
    )
    vectors, embedding_source = _embeddings(spec, pair, texts, report)
    if quiz:
        events.emit("stage", stage="forgetting", detail={"questions": len(quiz)})
        quiz_pairs, owners = [], []
        for q_index, item in enumerate(quiz):
            context, _ = compute.prompt_ids(
                tok, [{"role": "user", "content": item["question"]}], spec.max_prompt_tokens
            )
            for choice in item["choices"]:
                quiz_pairs.append((context, tok(choice, add_special_tokens=False)["input_ids"]))
                owners.append(q_index)
        for which in ("base", "tuned"):
            with pair.use(which) as model:
                scored = compute.sequence_logprobs(
                    model, quiz_pairs, batch_size=max(spec.batch_size, 16), device=pair.device,
                    progress=report.phase(f"forgetting_{which}"),
                )  # fmt: skip
            per_question: list[list[float]] = [[] for _ in quiz]
            for owner, (total_lp, count) in zip(owners, scored, strict=True):
                per_question[owner].append(total_lp / max(count, 1))
            quiz_scores[which] = per_question
    events.emit("stage", stage="finalizing")
    lines = []
    for i, example in enumerate(examples):
        record: dict[str, Any] = {
            "index": i,
            "row": example["row"],
            "prompt": example["prompt"],
            "reference": example["reference"],
            "reference_tokens": len(refs[i]),
        }
        for which in ("base", "tuned"):
            generated, (logprob, count) = outputs[which][i], ref_logprobs[which][i]
            record[which] = {
                "output": generated.text,
                "output_tokens": generated.tokens,
                "stop": generated.stop,
                "ref_logprob": logprob,
                "ref_tokens": count,
            }
        lines.append(json.dumps(record, ensure_ascii=False))
    _write_atomic(out / "predictions.jsonl", "\n".join(lines) + "\n")
    import numpy as np

    n = len(examples)
    staged = out / ".embeddings.partial.npz"
    np.savez(staged, reference=vectors[:n], base=vectors[n : 2 * n], tuned=vectors[2 * n :])
    os.replace(staged, out / "embeddings.npz")
    if quiz:
        forgetting = {
            "questions": [
                {"id": item.get("id", i), "topic": item.get("topic"), "answer": item["answer"]}
                for i, item in enumerate(quiz)
            ],
            "choice_scores": quiz_scores,  # mean log-prob per token of each choice, per model
        }
        _write_atomic(out / "forgetting.json", json.dumps(forgetting))
    result = {
        "eval_id": spec.eval_id,
        "examples": n,
        "held_out_rows": total,
        "prompts_truncated": truncated,
        "max_new_tokens": max_new,
        "temperature": spec.temperature,
        "decoding": "greedy" if spec.temperature == 0 else f"sampling (temperature {spec.temperature})",
        "model_kind": pair.kind,
        "base_model": pair.base_source,
        "base_is_demo": pair.is_demo,
        "chat_template": pair.chat_template_source,
        "embedding_model": embedding_source,
        "device": pair.device.type,
        "general_questions": len(quiz),
        "notes": pair.notes,
        "seconds": round(time.time() - started, 2),
    }
    _write_atomic(out / "result.json", json.dumps(result, indent=2))
    return result


def _embeddings(spec: EvalSpec, pair: Any, texts: list[str], report: _Reporter) -> tuple[Any, str]:
    from vibeflow_trainer.evaluate import compute, embedder

    choice = spec.embedding_model or "auto"
    if choice == "auto":
        found = embedder.packaged_minilm()
        if found is None:
            pair.notes.append(
                f"all-MiniLM-L6-v2 is not installed, so similarity used the base model: {embedder.INSTALL_FIX}"
            )
        path, label = found, embedder.LABEL
    elif choice != "base":
        path = Path(choice).expanduser()
        label = f"{path.name} (mean pooling, normalised)"
        if not (path / "config.json").is_file():
            pair.notes.append(
                f"embedding model {path} not found; used the base model's hidden states instead"
            )
            path = None
    else:
        path = None
    if path is not None:
        from transformers import AutoModel, AutoTokenizer

        model = AutoModel.from_pretrained(str(path)).to(pair.device).eval()
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        vectors = compute.embed(
            model, tokenizer, texts, batch_size=max(spec.batch_size, 32), device=pair.device,
            max_tokens=embedder.MAX_TOKENS, add_special_tokens=True, progress=report.phase("embed"),
        )  # fmt: skip
        return vectors, label
    with pair.use("base") as model:
        vectors = compute.embed(
            model,
            pair.tokenizer,
            texts,
            batch_size=spec.batch_size,
            device=pair.device,
            progress=report.phase("embed"),
        )
    label = "base model hidden states (mean-pooled last layer; a stand-in, not a sentence-embedding model)"
    if pair.is_demo:
        label += "; demo base with random weights, so similarity is not meaningful"
    return vectors, label


def run_evaluation(spec: EvalSpec) -> int:
    """CLI body: run, journal events, map failures to the trainer's exit codes."""
    out = Path(spec.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    events = EventWriter(out / "events.jsonl", run_id=spec.eval_id)
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        result = evaluate(spec, events)
        events.emit("stage", durable=True, stage="completed", detail=result)
        return 0
    except _Stopped as stop:
        events.emit("stage", durable=True, stage="stopped", detail={"reason": "signal"})
        return stop.code
    except Exception as exc:  # noqa: BLE001 - every failure becomes a typed error event
        error: TrainerError = classify(exc)
        events.emit("error", durable=True, exit_code=error.exit_code, **error.to_event())
        events.emit("stage", durable=True, stage="failed", detail={"error_type": error.error_type})
        return error.exit_code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        events.close()
