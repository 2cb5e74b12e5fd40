"""The result of one agent turn, shared by the Gemini and offline paths and the HTTP/CLI layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass
class TurnResult:
    reply: str
    suggested_replies: list[str] = field(default_factory=list)
    recommendation: dict[str, Any] | None = None
    estimate: dict[str, Any] | None = None
    comparison: list[dict[str, Any]] | None = None
    mode: Literal["gemini", "offline"] = "offline"
    notice: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)

    def card(self) -> dict[str, Any]:
        return {
            "suggested_replies": self.suggested_replies,
            "recommendation": self.recommendation,
            "estimate": self.estimate,
            "comparison": self.comparison,
        }
