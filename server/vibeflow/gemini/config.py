"""Gemini settings read from the environment once per call, so the key never lands in a settings file or the DB.

| variable | meaning | default |
| --- | --- | --- |
| `GEMINI_API_KEY` / `GOOGLE_API_KEY` | API key (first one set wins) | none → offline mode |
| `VIBEFLOW_GEMINI_MODEL` | model id | `gemini-2.5-flash` |
| `VIBEFLOW_GEMINI_BASE_URL` | API base URL (a proxy, or the test stub) | Google's endpoint |
| `VIBEFLOW_GEMINI_TIMEOUT_S` | per-request timeout in seconds | 30 |
| `VIBEFLOW_GEMINI_ATTEMPTS` | attempts for 408/429/5xx and transient network errors | 2 |
| `VIBEFLOW_GEMINI_DISABLE` | `1` forces offline mode even with a key | unset |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

DEFAULT_MODEL = "gemini-2.5-flash"


@dataclass(frozen=True)
class GeminiConfig:
    """Everything needed to build a client; `api_key` is excluded from repr so it never reaches a log line."""

    model: str = DEFAULT_MODEL
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    timeout_s: float = 30.0
    attempts: int = 2
    retry_delay_s: float = 0.5
    disabled: bool = False

    @property
    def has_key(self) -> bool:
        return bool(self.api_key)

    def key_hint(self) -> str:
        """A safe description of the key for diagnostics: its source-independent length and last 2 chars."""
        if not self.api_key:
            return "no key"
        return f"key …{self.api_key[-2:]} ({len(self.api_key)} chars)"

    def with_overrides(self, **changes: object) -> GeminiConfig:
        return replace(self, **changes)  # type: ignore[arg-type]


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


def load_gemini_config() -> GeminiConfig:
    key = (os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY") or "").strip() or None
    return GeminiConfig(
        model=(os.environ.get("VIBEFLOW_GEMINI_MODEL") or DEFAULT_MODEL).strip(),
        api_key=key,
        base_url=(os.environ.get("VIBEFLOW_GEMINI_BASE_URL") or "").strip() or None,
        timeout_s=max(0.1, _float("VIBEFLOW_GEMINI_TIMEOUT_S", 30.0)),
        attempts=max(1, int(_float("VIBEFLOW_GEMINI_ATTEMPTS", 2))),
        retry_delay_s=max(0.0, _float("VIBEFLOW_GEMINI_RETRY_DELAY_S", 0.5)),
        disabled=os.environ.get("VIBEFLOW_GEMINI_DISABLE", "").strip() in ("1", "true", "yes"),
    )
