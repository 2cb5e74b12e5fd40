"""The recommender as function-calling tools for the brainstorm agent: declarations plus one dispatcher.

`TOOL_DECLARATIONS` are plain JSON schemas (no $ref, no nulls) that google-genai accepts as function
declarations; `call_tool(name, args)` runs one and always returns a JSON-able dict — typed errors come back
as {"error", "message", "fix"} so the agent can relay the fix instead of inventing numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from vibeflow.errors import VibeFlowError
from vibeflow.recommend.schemas import EstimateRequest, RecommendRequest


def _inline(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _inline(defs[schema["$ref"].split("/")[-1]], defs)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        merged = {**_inline(options[0], defs), **{k: v for k, v in schema.items() if k in ("description",)}}
        return merged
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("title", "default", "examples", "$defs", "additionalProperties"):
            continue
        if key == "properties":
            out[key] = {name: _inline(prop, defs) for name, prop in value.items()}
        elif key == "items":
            out[key] = _inline(value, defs)
        elif key == "const":
            out["enum"] = [value]
        else:
            out[key] = value
    return out


def parameters_schema(model: type[BaseModel]) -> dict[str, Any]:
    raw = model.model_json_schema()
    return _inline(raw, raw.get("$defs", {}))


def _recommend(args: dict[str, Any]) -> dict[str, Any]:
    from vibeflow.recommend.recommender import recommend

    return recommend(args).model_dump(mode="json")


def _estimate(args: dict[str, Any]) -> dict[str, Any]:
    from vibeflow.recommend.estimator import estimate

    return estimate(args).model_dump(mode="json")


def _models(_args: dict[str, Any]) -> dict[str, Any]:
    from vibeflow.recommend.catalog import models

    return {
        "models": [
            m.model_dump(
                mode="json",
                include={
                    "id",
                    "name",
                    "hf_id",
                    "params_b",
                    "context_length",
                    "license",
                    "commercial_use",
                    "good_for",
                    "demo",
                },
            )
            for m in models()
        ]
    }


def _gpus(_args: dict[str, Any]) -> dict[str, Any]:
    from vibeflow.recommend.catalog import all_devices

    return {
        "gpus": [
            g.model_dump(mode="json", include={"id", "name", "memory_gb", "bf16", "peak_tflops", "prices"})
            for g in all_devices()
        ]
    }


TOOLS: dict[str, tuple[str, type[BaseModel] | None, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "recommend_setup": (
        "Recommend base model, method (full/LoRA/QLoRA), hyperparameters and hardware for a "
        "fine-tuning task, with estimated cost, time, memory and the reasons.",
        RecommendRequest,
        _recommend,
    ),
    "estimate_run": (
        "Estimate peak memory, wall time and cost (spot and on-demand, with a range and tips) of one "
        "training configuration.",
        EstimateRequest,
        _estimate,
    ),
    "list_models": (
        "List the base models VibeFlow knows (size, context, licence, what they are good for).",
        None,
        _models,
    ),
    "list_gpus": ("List the GPUs with memory, speed and dated prices per GPU-hour.", None, _gpus),
}

TOOL_DECLARATIONS: list[dict[str, Any]] = [
    {
        "name": name,
        "description": text,
        "parameters": parameters_schema(model) if model else {"type": "object", "properties": {}},
    }
    for name, (text, model, _) in TOOLS.items()
]


def call_tool(name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one tool; never raises for bad input — the error and its fix come back as data."""
    if name not in TOOLS:
        return {
            "error": "UnknownTool",
            "message": f"no tool named {name!r}",
            "fix": f"use one of {sorted(TOOLS)}",
        }
    try:
        return TOOLS[name][2](dict(args or {}))
    except VibeFlowError as error:
        return error.to_dict()
    except ValidationError as error:  # the arguments do not match the declaration
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
        return {
            "error": "InvalidArguments",
            "message": problems,
            "fix": "check the argument names and types against the tool's declaration",
        }
