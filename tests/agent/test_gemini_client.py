"""The shared Gemini plumbing against the REST stub: the real google-genai client, typed errors, no key leaks."""

from __future__ import annotations

import logging
import time

import pytest
from tests.agent.conftest import API_KEY
from tests.support.gemini_stub import GeminiStub, Reply

from vibeflow.gemini import (
    GeminiAPIError,
    GeminiBadReplyError,
    GeminiConfig,
    GeminiNetworkError,
    GeminiNoKeyError,
    GeminiTimeoutError,
    generate,
    generate_json,
    generate_json_sync,
    load_gemini_config,
)


def config(stub: GeminiStub, **changes: object) -> GeminiConfig:
    return GeminiConfig(api_key=API_KEY, base_url=stub.base_url, timeout_s=3, attempts=1).with_overrides(
        **changes
    )


def test_config_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.setenv("GOOGLE_API_KEY", "g-key")
    monkeypatch.setenv("VIBEFLOW_GEMINI_MODEL", "gemini-2.5-pro")
    monkeypatch.setenv("VIBEFLOW_GEMINI_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("VIBEFLOW_GEMINI_TIMEOUT_S", "7.5")
    cfg = load_gemini_config()
    assert (cfg.api_key, cfg.model, cfg.base_url, cfg.timeout_s) == (
        "g-key",
        "gemini-2.5-pro",
        "http://127.0.0.1:1",
        7.5,
    )
    assert "g-key" not in repr(cfg) and "g-key" not in cfg.key_hint()
    monkeypatch.delenv("VIBEFLOW_GEMINI_MODEL")
    assert load_gemini_config().model == "gemini-2.5-flash"


async def test_text_reply_and_request_shape(stub: GeminiStub) -> None:
    stub.reply_text("Hello from the stub")
    reply = await generate("hi there", config=config(stub), system_instruction="be brief")
    assert reply.text == "Hello from the stub" and reply.function_calls == []
    request = stub.requests[-1]
    assert request.model == "gemini-2.5-flash" and request.action == "generateContent"
    assert request.headers["x-goog-api-key"] == API_KEY
    assert request.text() == "hi there" and request.system_text() == "be brief"


async def test_json_reply_with_schema_for_a_judge(stub: GeminiStub) -> None:
    schema = {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}
    stub.reply_json({"score": 4, "reason": "mostly right"})
    assert await generate_json("grade this", schema=schema, config=config(stub)) == {
        "score": 4,
        "reason": "mostly right",
    }
    generation = stub.requests[-1].generation_config()
    assert generation["responseMimeType"] == "application/json" and generation["responseJsonSchema"] == schema
    stub.reply_text('```json\n{"score": 2}\n```')  # fenced JSON is tolerated
    assert generate_json_sync("grade", config=config(stub)) == {"score": 2}
    stub.reply_text("I think it deserves a 4")
    with pytest.raises(GeminiBadReplyError, match="not valid JSON"):
        await generate_json("grade", config=config(stub))


async def test_function_call_parts_are_parsed(stub: GeminiStub) -> None:
    stub.reply_function_calls([("list_gpus", {}), ("estimate_run", {"n_examples": 10})])
    tools = [{"name": "list_gpus", "description": "gpus", "parameters": {"type": "object", "properties": {}}}]
    reply = await generate("which gpu?", config=config(stub), tools=tools)
    assert [(c.name, c.args) for c in reply.function_calls] == [
        ("list_gpus", {}),
        ("estimate_run", {"n_examples": 10}),
    ]
    assert stub.requests[-1].tool_names() == ["list_gpus"]


@pytest.mark.parametrize(
    ("status", "fix_word"), [(400, "rejected"), (429, "quota"), (500, "trouble"), (503, "trouble")]
)
async def test_error_statuses_are_typed(stub: GeminiStub, status: int, fix_word: str) -> None:
    stub.reply_error(status, f"stub says {status}")
    with pytest.raises(GeminiAPIError) as caught:
        await generate("x", config=config(stub))
    assert caught.value.details["status_code"] == status
    assert f"HTTP {status}" in caught.value.message and fix_word in caught.value.fix


async def test_wrong_key_is_rejected_with_a_fix_and_never_logged(
    stub: GeminiStub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(GeminiAPIError) as caught:
        await generate("x", config=config(stub, api_key="wrong-secret-key"))
    assert "API key not valid" in caught.value.message and "GEMINI_API_KEY" in caught.value.fix
    assert "wrong-secret-key" not in caplog.text and "wrong-secret-key" not in str(caught.value)


async def test_retry_then_success(stub: GeminiStub) -> None:
    stub.reply_error(503).reply_error(429).reply_text("third time lucky")
    reply = await generate("x", config=config(stub, attempts=3, retry_delay_s=0.01))
    assert reply.text == "third time lucky" and len(stub.requests) == 3


async def test_timeout_network_bad_body_blocked_and_no_key(stub: GeminiStub) -> None:
    stub.reply_text("too late", delay_s=2)
    started = time.monotonic()
    with pytest.raises(GeminiTimeoutError, match="did not answer within 0.5 s"):
        await generate("x", config=config(stub, timeout_s=0.5))
    assert time.monotonic() - started < 1.9
    with pytest.raises(GeminiNetworkError, match="cannot be reached"):
        await generate("x", config=GeminiConfig(api_key=API_KEY, base_url="http://127.0.0.1:9", attempts=1))
    stub.reply_raw('{"candidates": [')
    with pytest.raises(GeminiBadReplyError, match="could not be read"):
        await generate("x", config=config(stub))
    stub.reply_blocked()
    with pytest.raises(GeminiBadReplyError, match="no answer"):
        await generate("x", config=config(stub))
    with pytest.raises(GeminiNoKeyError) as caught:
        await generate("x", config=GeminiConfig(api_key=None))
    assert "GEMINI_API_KEY" in caught.value.fix


def test_stub_serves_streaming_and_responder() -> None:
    import httpx

    with GeminiStub(responder=lambda req: Reply.json_text({"n": len(req.text())})) as stub:
        url = f"{stub.base_url}/v1beta/models/m:streamGenerateContent?alt=sse"
        body = {"contents": [{"role": "user", "parts": [{"text": "abc"}]}]}
        answer = httpx.post(url, json=body, headers={"x-goog-api-key": "any"})
        assert answer.headers["content-type"].startswith("text/event-stream")
        assert answer.text.startswith("data: ") and '\\"n\\": 3' in answer.text
