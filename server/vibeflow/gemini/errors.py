"""Typed Gemini failures with a user-facing message and fix; `reason` is a short code the offline fallback shows."""

from __future__ import annotations

from vibeflow.errors import VibeFlowError


class GeminiError(VibeFlowError):
    """Any failure to get a usable answer from Gemini; callers fall back to the deterministic path."""

    reason: str = "error"


class GeminiNoKeyError(GeminiError):
    """No API key in the environment (or Gemini disabled on purpose)."""

    reason = "no_key"


class GeminiNetworkError(GeminiError):
    """The endpoint could not be reached (DNS, refused connection, proxy, TLS)."""

    reason = "network"


class GeminiTimeoutError(GeminiNetworkError):
    """The endpoint did not answer within the configured timeout."""

    reason = "timeout"


class GeminiAPIError(GeminiError):
    """The API answered with an error status (400 bad key/request, 429 quota, 5xx outage)."""

    reason = "api_error"


class GeminiBadReplyError(GeminiError):
    """The API answered 200 but the reply is unusable (no candidates, blocked, not the JSON asked for)."""

    reason = "bad_reply"
