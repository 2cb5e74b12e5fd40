"""OpenAI wire format for the CPU engine: request validation into Sampling, and response/chunk bodies."""

from __future__ import annotations

import time
import uuid
from typing import Any

from vibeflow_trainer.serve.model import RequestError, Sampling


def error_body(message: str, status: int, param: str | None = None) -> dict[str, Any]:
    kind = {400: "invalid_request_error", 404: "not_found_error"}.get(status, "server_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": None}}


def _number(body: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise RequestError(f"{name} must be a number between {low} and {high}, got {value!r}", 400, name)
    return float(value)


def sampling_of(body: dict[str, Any], default_max: int) -> Sampling:
    """Validate OpenAI sampling fields; unsupported values are a 400 naming the field."""
    raw_max = body.get("max_completion_tokens", body.get("max_tokens"))
    if raw_max is None:
        max_tokens = default_max
    elif isinstance(raw_max, bool) or not isinstance(raw_max, int) or raw_max < 1:
        raise RequestError(f"max_tokens must be a positive integer, got {raw_max!r}", 400, "max_tokens")
    else:
        max_tokens = raw_max
    if body.get("n", 1) not in (1, None):
        raise RequestError("only n=1 is supported", 400, "n")
    stop = body.get("stop") or ()
    if isinstance(stop, str):
        stop = (stop,)
    if not isinstance(stop, list | tuple) or not all(isinstance(s, str) and s for s in stop) or len(stop) > 4:
        raise RequestError("stop must be a string or a list of up to 4 non-empty strings", 400, "stop")
    bias_raw = body.get("logit_bias") or {}
    if not isinstance(bias_raw, dict):
        raise RequestError("logit_bias must map token ids to numbers", 400, "logit_bias")
    try:
        bias = {int(token): float(value) for token, value in bias_raw.items()}
    except (TypeError, ValueError):
        raise RequestError("logit_bias must map token ids to numbers", 400, "logit_bias") from None
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise RequestError("seed must be an integer", 400, "seed")
    return Sampling(
        max_tokens=max_tokens,
        temperature=_number(body, "temperature", 1.0, 0.0, 2.0),
        top_p=_number(body, "top_p", 1.0, 0.0, 1.0) or 1.0,
        seed=seed,
        stop=tuple(stop),
        logit_bias=bias or None,
    )


def messages_of(body: dict[str, Any]) -> list[dict[str, str]]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("messages must be a non-empty list of {role, content}", 400, "messages")
    out = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in {"system", "user", "assistant"}:
            raise RequestError(
                f"messages[{index}] needs a role of system, user or assistant", 400, "messages"
            )
        content = message.get("content")
        if isinstance(content, list):  # OpenAI content parts: keep the text ones
            content = "".join(
                p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
            )
        if content is None:
            content = ""
        if not isinstance(content, str):
            raise RequestError(f"messages[{index}].content must be text", 400, "messages")
        out.append({"role": message["role"], "content": content})
    return out


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


def usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def chat_response(
    rid: str, model: str, text: str, finish: str, prompt: int, completion: int
) -> dict[str, Any]:
    return {
        "id": rid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": usage(prompt, completion),
    }


def completion_response(
    rid: str, model: str, text: str, finish: str, prompt: int, completion: int
) -> dict[str, Any]:
    return {
        "id": rid,
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
        "usage": usage(prompt, completion),
    }


def chat_chunk(rid: str, model: str, delta: dict[str, str], finish: str | None) -> dict[str, Any]:
    return {
        "id": rid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def completion_chunk(rid: str, model: str, text: str, finish: str | None) -> dict[str, Any]:
    return {
        "id": rid,
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
    }


def usage_chunk(rid: str, model: str, kind: str, prompt: int, completion: int) -> dict[str, Any]:
    return {
        "id": rid,
        "object": kind,
        "created": int(time.time()),
        "model": model,
        "choices": [],
        "usage": usage(prompt, completion),
    }
