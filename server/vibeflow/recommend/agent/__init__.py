"""The brainstorm agent: a chat that gathers the facts, recommends through our estimator, and writes the recipe.

Gemini (google-genai, function calling into `toolbox`) when a key is set and it answers; otherwise the same
flow on the deterministic recommender (`offline`). `BrainstormAgent` in `service` is the entry point; it is
loaded lazily so that `datasets` (used by `vibeflow estimate`) does not import google-genai.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BrainstormAgent"]


def __getattr__(name: str) -> Any:
    if name == "BrainstormAgent":
        from vibeflow.recommend.agent.service import BrainstormAgent

        return BrainstormAgent
    raise AttributeError(f"module 'vibeflow.recommend.agent' has no attribute {name!r}")
