"""LLM-as-judge with Gemini (google-genai through vibeflow.gemini): rubric scores 1–5 as JSON, base and tuned.

A seeded sample (default 20) of the evaluated examples is judged, each answer in its own request. Without a
key, with Gemini disabled, or when the service cannot be reached, the judge is skipped with a note saying why
and how to enable it; a reply that is not the JSON asked for is retried once and then left out (counted).
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

CRITERIA = ("relevance", "coherence", "factuality", "completeness", "tone_match")
DEFAULT_SAMPLE = 20
SYSTEM = (
    "You are an expert evaluator of AI responses. Rate the response on:\n"
    "1. Relevance (1-5): Does it answer the question?\n"
    "2. Coherence (1-5): Is it logically structured?\n"
    "3. Factuality (1-5): Are claims accurate?\n"
    "4. Completeness (1-5): Does it address all aspects?\n"
    "5. Tone Match (1-5): Does it match the tone of the reference?\n"
    'Reply with JSON only: {"relevance": n, "coherence": n, "factuality": n, "completeness": n, '
    '"tone_match": n, "feedback": "one short sentence"} with integers 1-5.'
)
SCHEMA = {
    "type": "object",
    "properties": {
        **{c: {"type": "integer", "minimum": 1, "maximum": 5} for c in CRITERIA},
        "feedback": {"type": "string"},
    },
    "required": [*CRITERIA, "feedback"],
}


class InvalidVerdict(ValueError):
    """The judge's reply lacks a criterion or has a score outside 1–5."""


def render_prompt(prompt: list[dict[str, str]], reference: str, response: str) -> str:
    conversation = "\n".join(f"{turn['role'].upper()}: {turn['content']}" for turn in prompt)
    return (
        f"Conversation so far:\n{conversation}\n\nResponse to rate:\n{response or '(empty response)'}\n\n"
        f"Reference answer (for context):\n{reference}"
    )


def parse_verdict(data: Any) -> dict[str, Any]:
    """Check and normalise one verdict: five integer scores 1–5 (numeric strings accepted), average, feedback."""
    if not isinstance(data, dict):
        raise InvalidVerdict(f"expected a JSON object, got {type(data).__name__}")
    verdict: dict[str, Any] = {}
    for criterion in CRITERIA:
        value = data.get(criterion)
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidVerdict(f"{criterion} is missing or not a number: {value!r}") from None
        if not 1 <= number <= 5:
            raise InvalidVerdict(f"{criterion} = {number:g} is outside 1-5")
        verdict[criterion] = int(round(number))
    verdict["average"] = sum(verdict[c] for c in CRITERIA) / len(CRITERIA)
    verdict["feedback"] = str(data.get("feedback") or "")[:500]
    return verdict


def pick_sample(count: int, size: int, seed: int) -> list[int]:
    if size <= 0 or count == 0:
        return []
    return sorted(random.Random(seed).sample(range(count), min(size, count)))


def skipped(note: str) -> dict[str, Any]:
    return {"status": "skipped", "note": note, "sample": 0, "verdicts": {}, "invalid": 0}


def availability() -> str | None:
    """None when a judge call can be attempted; otherwise why not (no key / disabled)."""
    from vibeflow.gemini import load_gemini_config

    config = load_gemini_config()
    if config.disabled:
        return "Gemini is disabled (VIBEFLOW_GEMINI_DISABLE=1)"
    if not config.has_key:
        return "no Gemini API key is set (set GEMINI_API_KEY to add the LLM-as-judge)"
    return None


async def run_judge(
    examples: list[dict[str, Any]], *, sample: int = DEFAULT_SAMPLE, seed: int = 42, concurrency: int = 4
) -> dict[str, Any]:
    """Judge base and tuned answers of a seeded sample; returns status, note, per-example verdicts and means."""
    reason = availability()
    if reason:
        return skipped(reason)
    from vibeflow.gemini import (
        GeminiAPIError,
        GeminiBadReplyError,
        GeminiError,
        GeminiNetworkError,
        GeminiNoKeyError,
        generate_json,
        load_gemini_config,
        make_client,
    )

    config = load_gemini_config()
    client = make_client(config)
    picked = pick_sample(len(examples), sample, seed)
    gate = asyncio.Semaphore(concurrency)
    fatal: list[GeminiError] = []
    invalid = 0

    async def one(example: dict[str, Any], which: str) -> dict[str, Any] | None:
        nonlocal invalid
        text = render_prompt(example["prompt"], example["reference"], example[which]["output"])
        for _attempt in range(2):
            if fatal:
                return None
            async with gate:
                try:
                    data = await generate_json(
                        text,
                        schema=SCHEMA,
                        config=config,
                        client=client,
                        system_instruction=SYSTEM,
                        temperature=0.0,
                    )
                    return parse_verdict(data)
                except (GeminiBadReplyError, InvalidVerdict):
                    continue
                except (GeminiNoKeyError, GeminiNetworkError) as error:
                    fatal.append(error)
                    return None
                except GeminiAPIError as error:
                    if (error.details or {}).get("status_code") in (400, 401, 403, 404):
                        fatal.append(error)
                    return None
                except GeminiError:
                    return None
        invalid += 1
        return None

    jobs = [(i, which) for i in picked for which in ("base", "tuned")]
    results = await asyncio.gather(*(one(examples[i], which) for i, which in jobs))
    verdicts: dict[int, dict[str, Any]] = {}
    for (i, which), verdict in zip(jobs, results, strict=True):
        if verdict is not None:
            verdicts.setdefault(examples[i]["index"], {})[which] = verdict
    complete = {k: v for k, v in verdicts.items() if "base" in v and "tuned" in v}
    if fatal and not complete:
        return skipped(f"Gemini could not be used: {fatal[0].message}")
    if not complete:
        return {**skipped(f"Gemini gave no usable verdict ({invalid} replies were not valid JSON scores)"),
                "invalid": invalid}  # fmt: skip
    means = {
        which: {
            c: sum(v[which][c] for v in complete.values()) / len(complete) for c in (*CRITERIA, "average")
        }
        for which in ("base", "tuned")
    }
    note = f"Gemini ({config.model}) judged {len(complete)} examples"
    if invalid:
        note += f"; {invalid} replies were not valid JSON scores and were left out"
    return {
        "status": "ok",
        "note": note,
        "model": config.model,
        "sample": len(complete),
        "verdicts": {str(k): v for k, v in complete.items()},
        "means": means,
        "invalid": invalid,
    }
