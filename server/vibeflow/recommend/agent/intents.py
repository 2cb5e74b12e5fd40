"""Recognises follow-up requests in a chat message (compare, why, recipe, let AI pick) and model names."""

from __future__ import annotations

import re

from vibeflow.recommend.catalog import models

COMPARE = re.compile(r"\b(compare|comparison|side by side|versus|vs\.?|alternatives?)\b", re.I)
WHY = re.compile(r"\b(why|explain|reasons?|learn more)\b", re.I)
RECIPE = re.compile(r"\b(vibeflow\.yaml|yaml|recipe|write (it|the config)|create (the )?config)\b", re.I)
FAMILY_SIZE = re.compile(r"\b(qwen|llama|mistral|phi|gemma|smollm)[\w.-]*?\s*-?(\d+(?:\.\d+)?)\s*b\b", re.I)
PICK = re.compile(
    r"\b(let (the )?ai pick|you (pick|choose|decide)|pick for me|choose for me|surprise me)\b", re.I
)


def wants_compare(text: str) -> bool:
    return bool(COMPARE.search(text))


def wants_why(text: str) -> bool:
    return bool(WHY.search(text))


def wants_recipe(text: str) -> bool:
    return bool(RECIPE.search(text))


def wants_pick(text: str) -> bool:
    return bool(PICK.search(text))


def mentioned_models(text: str) -> list[str]:
    """Catalog model ids named in a text (by id, Hub id or display name), in order of appearance."""
    low = text.lower()
    hits: list[tuple[int, str]] = []
    for spec in models():
        for form in {
            spec.id,
            spec.hf_id.lower(),
            spec.name.lower(),
            spec.name.lower().replace(" instruct", ""),
        }:
            at = low.find(form.lower())
            if at >= 0 and len(form) >= 4:
                hits.append((at, spec.id))
                break
    for found in FAMILY_SIZE.finditer(low):  # "llama 3b", "qwen 0.5b", "mistral 7b"
        family, size = found.group(1), float(found.group(2))
        fits = [
            spec
            for spec in models()
            if family in spec.id and abs(spec.params_b - size) / max(size, 0.1) < 0.35 and not spec.demo
        ]
        if fits:
            hits.append((found.start(), fits[-1].id))  # the newest generation comes last in the catalog
    out: list[str] = []
    for _, model_id in sorted(hits):
        if model_id not in out:
            out.append(model_id)
    return out
