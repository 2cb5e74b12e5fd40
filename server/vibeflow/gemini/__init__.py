"""Shared Gemini plumbing (google-genai): configuration from env, a client factory, typed errors, safe calls."""

from vibeflow.gemini.client import (
    FunctionCall,
    GeminiReply,
    generate,
    generate_json,
    generate_json_sync,
    generate_sync,
    make_client,
    parse_json_text,
    redact,
)
from vibeflow.gemini.config import GeminiConfig, load_gemini_config
from vibeflow.gemini.errors import (
    GeminiAPIError,
    GeminiBadReplyError,
    GeminiError,
    GeminiNetworkError,
    GeminiNoKeyError,
    GeminiTimeoutError,
)

__all__ = [
    "FunctionCall",
    "generate_json_sync",
    "generate_sync",
    "parse_json_text",
    "redact",
    "GeminiAPIError",
    "GeminiBadReplyError",
    "GeminiConfig",
    "GeminiError",
    "GeminiNetworkError",
    "GeminiNoKeyError",
    "GeminiReply",
    "GeminiTimeoutError",
    "generate",
    "generate_json",
    "load_gemini_config",
    "make_client",
]
