"""Retry suggestions: from a failed run's error (or its alerts) to concrete recipe changes, plus the diff.

OOM halves the batch and doubles gradient accumulation (the effective batch stays the same); NaN/divergence
lowers the learning rate to 30%; a full disk keeps one checkpoint; a CUDA-only setting falls back to what
runs on CPU. Changes are dotted recipe paths ("training.batch_size") applied to the frozen recipe snapshot.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from vibeflow.recipe.model import Recipe
from vibeflow.recipe.presets import resolve_training

SIGKILL_EXIT = -9


@dataclass
class Suggestion:
    """What a retry will change and why; `changes` may be empty (a plain re-run)."""

    reason: str
    fix: str
    changes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "fix": self.fix, "changes": self.changes}


def _oom(hyper: dict[str, Any]) -> dict[str, Any]:
    batch, accumulation = hyper["batch_size"], hyper["gradient_accumulation"]
    if batch > 1:
        return {"training.batch_size": batch // 2, "training.gradient_accumulation": accumulation * 2}
    return {"training.max_seq_length": max(16, hyper["max_seq_length"] // 2)}


def suggest(
    recipe: Recipe, error: dict[str, Any] | None, alerts: list[dict[str, Any]], exit_code: int | None = None
) -> Suggestion:
    """The adjustment for a retry: driven by the error type first, else by the most severe alert."""
    hyper = resolve_training(recipe)
    kind = (error or {}).get("type")
    if kind == "out_of_memory" or (kind in (None, "orphaned", "unknown") and exit_code == SIGKILL_EXIT):
        return Suggestion(
            "out of memory",
            "halve batch_size and double gradient_accumulation (same effective batch)"
            if hyper["batch_size"] > 1
            else "halve max_seq_length",
            _oom(hyper),
        )
    if kind == "nan_divergence":
        return Suggestion(
            "loss became NaN or diverged",
            "lower learning_rate to 30%",
            {"training.learning_rate": float(f"{hyper['learning_rate'] * 0.3:.3g}")},
        )
    if kind == "disk_full":
        return Suggestion("disk full", "keep a single checkpoint", {"training.keep_checkpoints": 1})
    if kind == "cuda_required":
        changes: dict[str, Any] = {}
        if recipe.method == "qlora":
            changes["method"] = "lora"
        if hyper["optimizer"] == "adamw_8bit":
            changes["training.optimizer"] = "adamw_torch"
        if hyper["precision"] in ("fp16", "bf16"):
            changes["training.precision"] = "auto"
        return Suggestion("needs a CUDA GPU", "use settings that run without CUDA", changes)
    ranked = sorted(
        (a for a in alerts if a.get("changes")),
        key=lambda a: {"error": 0, "warning": 1}.get(a.get("severity", ""), 2),
    )
    if ranked:
        alert = ranked[0]
        return Suggestion(
            alert.get("message", alert.get("kind", "alert")), alert.get("fix", ""), dict(alert["changes"])
        )
    if error:
        return Suggestion(error.get("message", "the run failed"), error.get("fix") or "re-run unchanged")
    return Suggestion("re-run", "re-run with the same recipe")


def apply_changes(recipe: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of a recipe dict with dotted-path changes applied (missing sections are created)."""
    out = copy.deepcopy(recipe)
    for path, value in changes.items():
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[leaf] = value
    return out


def config_diff(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Flat list of changed leaves: [{path, before, after}], in a stable order."""
    out: list[dict[str, Any]] = []
    for key in sorted(set(before) | set(after)):
        path = f"{prefix}{key}"
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) or isinstance(new, dict):
            out += config_diff(
                old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}, f"{path}."
            )
        elif old != new:
            out.append({"path": path, "before": old, "after": new})
    return out


def diff_tree(diff: list[dict[str, Any]]) -> dict[str, Any]:
    """The flat diff as a hierarchical "features" tree: {training: {batch_size: {before, after}}}."""
    tree: dict[str, Any] = {}
    for change in diff:
        node = tree
        *parents, leaf = change["path"].split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = {"before": change["before"], "after": change["after"]}
    return tree


def effective_diff(before: Recipe, after: Recipe) -> list[dict[str, Any]]:
    """Diff of the resolved hyperparameters (preset values included), so `4 → 2` shows even when 4 was implicit."""
    return config_diff(
        {"method": before.method, "training": resolve_training(before)},
        {"method": after.method, "training": resolve_training(after)},
    )
