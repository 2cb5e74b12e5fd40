"""The agent's function-calling tools: the recommender's four plus dataset inspection and model comparison.

`Toolbox.call(name, args)` runs one tool against the conversation's facts and records what it produced (the
recommendation, estimate or comparison shown as the card). It never raises for bad arguments: errors come
back as {"error", "message", "fix"} for the model to relay. Results sent back to Gemini are compacted
(`for_model`) so the prompt stays small, but the card keeps the full estimator output.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from vibeflow.errors import VibeFlowError
from vibeflow.recommend.agent.compare import compare_models
from vibeflow.recommend.agent.facts import Facts
from vibeflow.recommend.schemas import Recommendation, RecommendRequest
from vibeflow.recommend.tools import TOOL_DECLARATIONS, call_tool

log = logging.getLogger("vibeflow.agent")

EXTRA_DECLARATIONS: list[dict[str, Any]] = [
    {
        "name": "inspect_dataset",
        "description": "Read the quality report of a stored dataset version: rows, token lengths, quality score "
        "and the main issues. Use it before recommending when the user has a dataset.",
        "parameters": {
            "type": "object",
            "properties": {
                "version": {"type": "string", "description": "NAME, NAME@N or id; empty: the current one"}
            },
        },
    },
    {
        "name": "compare_models",
        "description": "Compare 2-3 base models side by side under the current recommendation's settings "
        "(memory, time, cost, licence). Empty list: the recommendation and its alternatives.",
        "parameters": {
            "type": "object",
            "properties": {
                "models": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "catalog ids or Hub ids, e.g. qwen2.5-7b, llama-3.2-3b",
                }
            },
        },
    },
]
DECLARATIONS: list[dict[str, Any]] = [*TOOL_DECLARATIONS, *EXTRA_DECLARATIONS]
TOOL_NAMES = frozenset(d["name"] for d in DECLARATIONS)
FACT_FIELDS = ("task", "n_examples", "priority", "gpu", "budget_usd", "target", "commercial_use")


class UnknownToolError(Exception):
    """The model asked for a tool we do not have."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _compact_estimate(est: dict[str, Any]) -> dict[str, Any]:
    chosen = est["cost"].get("chosen") or {}
    return {
        "model": est["model_name"],
        "device": est["device"],
        "target": est["target"],
        "method": est["request"]["method"],
        "memory_gb": est["memory"]["total_gb"],
        "fits": [{k: f[k] for k in ("device", "status", "usage_pct")} for f in est["memory"]["fits"]][:6],
        "time": est["time"]["human"],
        "time_low_s": est["time"]["low_s"],
        "time_high_s": est["time"]["high_s"],
        "cost_usd": chosen.get("compute_usd", 0.0),
        "cost_low_usd": chosen.get("low_usd", 0.0),
        "cost_high_usd": chosen.get("high_usd", 0.0),
        "cost_tier": chosen.get("tier", "local"),
        "on_demand_usd": (est["cost"].get("on_demand") or {}).get("compute_usd"),
        "spot_usd": (est["cost"].get("spot") or {}).get("compute_usd"),
        "price_snapshot": est["cost"]["price_snapshot"],
        "confidence": est["confidence"]["level"],
        "tips": [
            {k: t[k] for k in ("action", "saving_usd", "saving_pct", "tradeoff")} for t in est["tips"][:3]
        ],
        "warnings": est["warnings"],
    }


def for_model(name: str, result: dict[str, Any]) -> dict[str, Any]:
    """The part of a tool result worth sending back to Gemini."""
    if "error" in result:
        return result
    if name == "recommend_setup":
        return {
            "base_model": result["base_model"],
            "model_name": result["model_name"],
            "hf_id": result["hf_id"],
            "method": result["method"],
            "device": result["device"],
            "target": result["target"],
            "preset": result["preset"],
            "hyperparameters": result["hyperparameters"],
            "estimate": _compact_estimate(result["estimate"]),
            "reasons": result["reasons"],
            "alternatives": result["alternatives"],
            "warnings": result["warnings"],
        }
    if name == "estimate_run":
        return _compact_estimate(result)
    return result


class Toolbox:
    """Runs tools for one turn; remembers the last recommendation/estimate/comparison for the card."""

    def __init__(
        self,
        facts: Facts,
        *,
        recommendation: dict[str, Any] | None = None,
        inspect: Callable[[str], Awaitable[dict[str, Any]]] | None = None,
        defaults: bool = False,
        finalize: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.facts = facts
        self.finalize = finalize or (lambda rec: rec)
        self.defaults = defaults
        self.recommendation = recommendation
        self.new_recommendation: dict[str, Any] | None = None
        self.estimate: dict[str, Any] | None = None
        self.comparison: list[dict[str, Any]] | None = None
        self.calls: list[dict[str, Any]] = []
        self._inspect = inspect

    def _recommend_args(self, args: dict[str, Any]) -> dict[str, Any]:
        """The model's arguments over the known facts; dataset token lengths win over guesses."""
        merged = self.facts.request(defaults=self.defaults)
        merged.update({k: v for k, v in args.items() if v is not None and k in RecommendRequest.model_fields})
        stats = self.facts.dataset_stats
        if stats:
            merged["avg_tokens_in"] = stats["avg_tokens_in"]
            merged["avg_tokens_out"] = stats["avg_tokens_out"]
            merged.setdefault("n_examples", stats["rows"])
        return merged

    def _learn(self, args: dict[str, Any]) -> None:
        """Facts the model passed to recommend_setup become known facts (it read them from the chat)."""
        for key in FACT_FIELDS:
            value = args.get(key)
            if value not in (None, "") and getattr(self.facts, key) in (None, False):
                setattr(self.facts, key, value)

    async def call(self, name: str, args: dict[str, Any] | None) -> dict[str, Any]:
        args = dict(args or {})
        if name not in TOOL_NAMES:
            log.warning("model asked for unknown tool %r with %s", name, sorted(args))
            raise UnknownToolError(name)
        try:
            result = await self._run(name, args)
        except VibeFlowError as error:
            result = error.to_dict()
        except Exception as error:  # noqa: BLE001 - a tool must never break the conversation
            log.exception("tool %s failed", name)
            result = {"error": type(error).__name__, "message": str(error), "fix": "try other values"}
        self.calls.append({"name": name, "args": args, "ok": "error" not in result})
        return result

    async def _run(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        if name == "recommend_setup":
            merged = self._recommend_args(args)
            result = call_tool(name, merged)
            if "error" not in result:
                self._learn(merged)
                result = self.finalize(result)  # the estimate of the recipe it would write
                self.recommendation = self.new_recommendation = result
                self.estimate = result["estimate"]
            return result
        if name == "estimate_run":
            if self.facts.dataset_stats and "n_examples" not in args:
                stats = self.facts.dataset_stats
                args = {
                    **args,
                    "n_examples": stats["rows"],
                    "avg_tokens_in": stats["avg_tokens_in"],
                    "avg_tokens_out": stats["avg_tokens_out"],
                }
            result = call_tool(name, args)
            if "error" not in result:
                self.estimate = result
            return result
        if name == "inspect_dataset":
            ref = str(args.get("version") or self.facts.dataset_version or "").strip()
            if not ref:
                return {
                    "error": "NoDataset",
                    "message": "no dataset is selected in this conversation",
                    "fix": "ask the user for the number of examples, or to import a dataset in the Data panel",
                }
            if self._inspect is None:
                return {
                    "error": "NoStore",
                    "message": "datasets are not available here",
                    "fix": "ask the user",
                }
            return await self._inspect(ref)
        if name == "compare_models":
            if self.recommendation is None:
                rec = call_tool("recommend_setup", self.facts.request(defaults=True))
                if "error" in rec:
                    return rec
                self.recommendation = rec
            rows = compare_models(
                Recommendation.model_validate(self.recommendation), list(args.get("models") or [])
            )
            self.comparison = rows
            return {"models": rows}
        return call_tool(name, args)  # list_models, list_gpus
