"""One place that builds google-genai clients and turns every way a Gemini call can fail into a typed error.

`generate()` (async) / `generate_sync()` send one `generateContent` request (optionally with function
declarations or a JSON response schema) and return a `GeminiReply`; `generate_json()` / `generate_json_sync()`
ask for JSON and return the parsed object. Nothing here logs the API key: errors are rebuilt from the API's
status and message, and every text that goes to a log passes through `redact()`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from vibeflow.gemini.config import GeminiConfig, load_gemini_config
from vibeflow.gemini.errors import (
    GeminiAPIError,
    GeminiBadReplyError,
    GeminiError,
    GeminiNetworkError,
    GeminiNoKeyError,
    GeminiTimeoutError,
)

log = logging.getLogger("vibeflow.gemini")

KEY_FIX = "set GEMINI_API_KEY (VS Code: 'VibeFlow: Set Gemini API Key' stores it in SecretStorage)"


@dataclass
class FunctionCall:
    """One tool call the model asked for."""

    name: str
    args: dict[str, Any]
    id: str | None = None


@dataclass
class GeminiReply:
    """What came back: text, function calls, and the model's content to append to the history."""

    text: str
    function_calls: list[FunctionCall] = field(default_factory=list)
    content: types.Content | None = None
    finish_reason: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    model: str = ""


def redact(text: str, config: GeminiConfig | None = None) -> str:
    """Remove the API key (if it appears) from a text before it is logged or shown."""
    key = (config or load_gemini_config()).api_key
    return text.replace(key, "***") if key and key in text else text


def make_client(config: GeminiConfig | None = None) -> genai.Client:
    """A google-genai client for the Gemini Developer API; raises GeminiNoKeyError without a key."""
    config = config or load_gemini_config()
    if config.disabled:
        raise GeminiNoKeyError(
            "Gemini is disabled (VIBEFLOW_GEMINI_DISABLE=1)", fix="unset VIBEFLOW_GEMINI_DISABLE"
        )
    if not config.has_key:
        raise GeminiNoKeyError("no Gemini API key is set", fix=KEY_FIX)
    # Always explicit: with no retry options the async client sleeps 1-10 s and retries connection errors itself.
    retry = types.HttpRetryOptions(
        attempts=config.attempts,
        initial_delay=config.retry_delay_s,
        max_delay=max(config.retry_delay_s * 4, 0.1),
        jitter=0.0,
    )
    options = types.HttpOptions(
        base_url=config.base_url,
        timeout=int(config.timeout_s * 1000),
        retry_options=retry,
    )
    return genai.Client(api_key=config.api_key, vertexai=False, http_options=options)


def _request_config(
    system_instruction: str | None,
    tools: list[dict[str, Any]] | None,
    json_schema: dict[str, Any] | None,
    temperature: float | None,
    max_output_tokens: int | None,
) -> types.GenerateContentConfig:
    kwargs: dict[str, Any] = {
        "automatic_function_calling": types.AutomaticFunctionCallingConfig(disable=True),
    }
    if system_instruction:
        kwargs["system_instruction"] = system_instruction
    if temperature is not None:
        kwargs["temperature"] = temperature
    if max_output_tokens is not None:
        kwargs["max_output_tokens"] = max_output_tokens
    if tools:
        declarations = [
            types.FunctionDeclaration(
                name=t["name"],
                description=t.get("description", ""),
                parameters_json_schema=t.get("parameters"),
            )
            for t in tools
        ]
        kwargs["tools"] = [types.Tool(function_declarations=declarations)]
    if json_schema is not None:
        kwargs["response_mime_type"] = "application/json"
        if json_schema:
            kwargs["response_json_schema"] = json_schema
    return types.GenerateContentConfig(**kwargs)


def _short(text: str) -> str:
    return re.sub(r" ?ssl:<[^>]*>", "", text)[:300]


def _translate(error: BaseException, config: GeminiConfig) -> GeminiError:
    where = f"Gemini ({config.model}{' at ' + config.base_url if config.base_url else ''})"
    if isinstance(error, GeminiError):
        return error
    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return GeminiTimeoutError(
            f"{where} did not answer within {config.timeout_s:g} s",
            fix="retry, or raise VIBEFLOW_GEMINI_TIMEOUT_S; the offline recommender answers meanwhile",
        )
    if isinstance(error, httpx.TransportError | OSError) or type(error).__module__.startswith("aiohttp"):
        return GeminiNetworkError(
            f"{where} cannot be reached: {_short(redact(str(error) or type(error).__name__, config))}",
            fix="check the network/proxy (or VIBEFLOW_GEMINI_BASE_URL); the offline recommender answers meanwhile",
        )
    if isinstance(error, genai_errors.APIError):
        code = int(error.code or 0)
        message = redact(str(error.message or error.status or "error"), config)
        if code in (400, 401, 403) and "key" in message.lower():
            fix = "the API key was rejected: " + KEY_FIX
        elif code == 429:
            fix = "quota or rate limit reached: wait a minute or use another key; offline mode answers meanwhile"
        elif code == 404:
            fix = f"model {config.model!r} not found: set VIBEFLOW_GEMINI_MODEL (e.g. gemini-2.5-flash)"
        elif code >= 500:
            fix = "Gemini is having trouble: retry later; the offline recommender answers meanwhile"
        else:
            fix = "the request was rejected; report it with the VibeFlow log"
        out = GeminiAPIError(f"{where} returned HTTP {code}: {message}", fix=fix)
        out.details = {"status_code": code, "status": error.status}
        return out
    if isinstance(error, ValueError | KeyError | TypeError | json.JSONDecodeError):
        return GeminiBadReplyError(
            f"{where} sent a reply that could not be read: {redact(str(error), config)[:300]}",
            fix="retry; if it persists, try another model (VIBEFLOW_GEMINI_MODEL)",
        )
    return GeminiError(
        f"{where} failed: {type(error).__name__}: {redact(str(error), config)[:300]}", fix="retry"
    )


def _reply(response: types.GenerateContentResponse, config: GeminiConfig) -> GeminiReply:
    candidates = response.candidates or []
    if not candidates or candidates[0].content is None:
        feedback = response.prompt_feedback
        reason = (feedback.block_reason if feedback else None) or (
            candidates[0].finish_reason if candidates else "no candidates"
        )
        raise GeminiBadReplyError(
            f"Gemini returned no answer ({reason})",
            fix="rephrase the message, or retry; offline mode answers",
        )
    content = candidates[0].content
    texts: list[str] = []
    calls: list[FunctionCall] = []
    for part in content.parts or []:
        if part.function_call is not None and part.function_call.name:
            calls.append(
                FunctionCall(
                    part.function_call.name, dict(part.function_call.args or {}), part.function_call.id
                )
            )
        elif part.text and not part.thought:
            texts.append(part.text)
    usage = {}
    if response.usage_metadata is not None:
        meta = response.usage_metadata
        usage = {
            "prompt_tokens": meta.prompt_token_count or 0,
            "output_tokens": meta.candidates_token_count or 0,
            "total_tokens": meta.total_token_count or 0,
        }
    finish = candidates[0].finish_reason
    return GeminiReply(
        text="".join(texts),
        function_calls=calls,
        content=content,
        finish_reason=str(finish.value if hasattr(finish, "value") else finish) if finish else None,
        usage=usage,
        model=response.model_version or config.model,
    )


@contextlib.contextmanager
def _typed_errors(config: GeminiConfig) -> Iterator[None]:
    """Every failure inside becomes a logged GeminiError subclass; nothing escapes untyped."""
    try:
        yield
    except Exception as error:
        typed = _translate(error, config)
        log.warning("gemini call failed (%s): %s", typed.reason, typed.message)
        raise typed from None


async def generate(
    contents: Any,
    *,
    config: GeminiConfig | None = None,
    system_instruction: str | None = None,
    tools: list[dict[str, Any]] | None = None,
    json_schema: dict[str, Any] | None = None,
    temperature: float | None = None,
    max_output_tokens: int | None = None,
    client: genai.Client | None = None,
) -> GeminiReply:
    """Send one generateContent request (async); raises a GeminiError subclass on any failure."""
    config = config or load_gemini_config()
    request = _request_config(system_instruction, tools, json_schema, temperature, max_output_tokens)
    own = client is None
    try:
        with _typed_errors(config):
            client = client or make_client(config)
            response = await client.aio.models.generate_content(
                model=config.model, contents=contents, config=request
            )
            return _reply(response, config)
    finally:
        if own and client is not None:
            with contextlib.suppress(Exception):
                await client.aio.aclose()


def generate_sync(
    contents: Any,
    *,
    config: GeminiConfig | None = None,
    system_instruction: str | None = None,
    tools: list[dict[str, Any]] | None = None,
    json_schema: dict[str, Any] | None = None,
    temperature: float | None = None,
    max_output_tokens: int | None = None,
    client: genai.Client | None = None,
) -> GeminiReply:
    """Blocking twin of `generate` for scripts and worker threads."""
    config = config or load_gemini_config()
    request = _request_config(system_instruction, tools, json_schema, temperature, max_output_tokens)
    own = client is None
    try:
        with _typed_errors(config):
            client = client or make_client(config)
            response = client.models.generate_content(model=config.model, contents=contents, config=request)
            return _reply(response, config)
    finally:
        if own and client is not None:
            with contextlib.suppress(Exception):
                client.close()


def parse_json_text(text: str) -> Any:
    """Parse a JSON reply, tolerating a ```json fence; raises GeminiBadReplyError with the start of the text."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`")
        body = body[4:] if body.lower().startswith("json") else body
    try:
        return json.loads(body)
    except json.JSONDecodeError as error:
        raise GeminiBadReplyError(
            f"Gemini's reply is not valid JSON ({error.msg} at char {error.pos}): {text[:120]!r}",
            fix="retry; the model did not follow the JSON format",
        ) from None


async def generate_json(prompt: Any, *, schema: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """Ask for a JSON answer (optionally constrained by a JSON schema) and return it parsed."""
    reply = await generate(prompt, json_schema=schema or {}, **kwargs)
    return parse_json_text(reply.text)


def generate_json_sync(prompt: Any, *, schema: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """Blocking twin of `generate_json`."""
    reply = generate_sync(prompt, json_schema=schema or {}, **kwargs)
    return parse_json_text(reply.text)
