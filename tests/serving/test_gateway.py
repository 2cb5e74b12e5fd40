"""The gateway with the official `openai` client against a live CPU deployment of the demo base + LoRA:
chat, streaming, completions, models, keys (401 missing/revoked/rotated), 429 with Retry-After, 400 bodies,
A/B split by weight with per-arm metrics, rollback, history, and an engine crash → 503 → restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import openai
import pytest
from tests.serving.conftest import Stack


def client(stack: Stack, key: str | None = None, retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(base_url=stack.base_url, api_key=key or stack.key, max_retries=retries, timeout=120)


def test_deploy_is_live_and_consistent(stack: Stack) -> None:
    dep = stack.deployment
    assert dep["status"] == "live" and dep["engine"] == "cpu"
    assert dep["endpoint"].startswith("http://127.0.0.1:") and dep["endpoint"].endswith("/v1")
    assert dep["consistency"]["ok"] is True and dep["consistency"]["eos"]["stops"] is True
    assert all(item["match"] for item in dep["consistency"]["conversations"])
    assert dep["api_key"]["key"].startswith("vf-") and "snippets" in dep
    assert "Authorization: Bearer vf-" in dep["snippets"]["curl"]
    gateway = stack.api.get("/api/serving/gateway").json()
    assert gateway["running"] and gateway["loopback_only"]


def _run_snippet(argv: list[str], key: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIBEFLOW_API_KEY"}
    if key:
        env["VIBEFLOW_API_KEY"] = key
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("inline", [True, False], ids=["key-inlined", "key-from-environment"])
def test_the_copy_paste_snippets_answer_when_run_as_shown(stack: Stack, inline: bool) -> None:
    if inline:  # as shown right after creating a key
        shown, env_key = stack.deployment["snippets"], None
    else:  # as the deployment panel shows them later: the key comes from $VIBEFLOW_API_KEY
        shown, env_key = (
            stack.api.get(f"/api/deployments/{stack.deployment['name']}").json()["snippets"],
            stack.key,
        )
        assert stack.key not in shown["curl"] + shown["python"]
    curl = _run_snippet(["bash", "-c", shown["curl"] + " --fail-with-body -sS"], env_key)
    assert curl.returncode == 0, (shown["curl"], curl.stdout, curl.stderr)
    assert json.loads(curl.stdout)["choices"][0]["message"]["role"] == "assistant"
    python = _run_snippet([sys.executable, "-c", shown["python"]], env_key)
    assert python.returncode == 0, (shown["python"], python.stderr[-2000:])


def test_chat_completions_and_models(stack: Stack) -> None:
    oa = client(stack)
    served = [m.id for m in oa.models.list().data]
    assert "support-bot" in served and "wrong-template" not in served  # a refused deployment serves nothing
    reply = oa.chat.completions.create(
        model="support-bot",
        messages=[{"role": "user", "content": "Where is my order?"}],
        max_tokens=8,
        temperature=0,
    )
    assert reply.object == "chat.completion" and reply.model == "support-bot-v1"
    assert reply.choices[0].finish_reason in {"stop", "length"}
    assert reply.usage.prompt_tokens > 0 and 0 < reply.usage.completion_tokens <= 8
    again = oa.chat.completions.create(
        model="support-bot",
        messages=[{"role": "user", "content": "Where is my order?"}],
        max_tokens=8,
        temperature=0,
    )
    assert again.choices[0].message.content == reply.choices[0].message.content  # greedy is deterministic


def test_streaming_matches_non_streaming(stack: Stack) -> None:
    oa = client(stack)
    messages = [{"role": "user", "content": "Refund please"}]
    whole = oa.chat.completions.create(model="support-bot", messages=messages, max_tokens=10, temperature=0)
    chunks = list(
        oa.chat.completions.create(
            model="support-bot", messages=messages, max_tokens=10, temperature=0, stream=True
        )
    )
    assert all(chunk.choices for chunk in chunks)  # usage chunk not asked for → not passed on
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == whole.choices[0].finish_reason
    with_usage = list(
        oa.chat.completions.create(
            model="support-bot",
            messages=messages,
            max_tokens=10,
            temperature=0,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert (
        with_usage[-1].choices == []
        and with_usage[-1].usage.completion_tokens == whole.usage.completion_tokens
    )


def test_completions(stack: Stack) -> None:
    oa = client(stack)
    out = oa.completions.create(model="support-bot", prompt="Hello, my order", max_tokens=5, temperature=0)
    assert out.object == "text_completion" and out.usage.completion_tokens <= 5
    streamed = list(
        oa.completions.create(
            model="support-bot", prompt="Hello, my order", max_tokens=5, temperature=0, stream=True
        )
    )
    assert "".join(c.choices[0].text for c in streamed) == out.choices[0].text


def test_missing_and_wrong_keys_are_401(stack: Stack) -> None:
    plain = httpx.post(f"{stack.base_url}/chat/completions", json={"model": "support-bot", "messages": []})
    assert plain.status_code == 401 and plain.json()["error"]["code"] == "missing_api_key"
    with pytest.raises(openai.AuthenticationError) as caught:
        client(stack, key="vf-000000000000-notakey").models.list()
    assert caught.value.status_code == 401 and caught.value.body["code"] == "invalid_api_key"


def test_malformed_requests_are_400(stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {stack.key}"}
    bad_json = httpx.post(f"{stack.base_url}/chat/completions", content=b"{nope", headers=headers)
    assert bad_json.status_code == 400 and bad_json.json()["error"]["type"] == "invalid_request_error"
    oa = client(stack)
    with pytest.raises(openai.BadRequestError) as caught:
        oa.chat.completions.create(model="support-bot", messages=[])
    assert caught.value.body["param"] == "messages"
    with pytest.raises(openai.BadRequestError):  # validated by the engine, passed through
        oa.chat.completions.create(
            model="support-bot", messages=[{"role": "user", "content": "x"}], temperature=7
        )
    with pytest.raises(openai.NotFoundError):
        oa.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])


def test_rate_limit_429_with_retry_after(stack: Stack) -> None:
    made = stack.api.post(
        "/api/keys", json={"deployment": "support-bot", "name": "tight", "rate_limit_per_minute": 3}
    )
    assert made.status_code == 201
    oa = client(stack, key=made.json()["key"])
    for _ in range(3):
        oa.models.list()
    with pytest.raises(openai.RateLimitError) as caught:
        oa.completions.create(model="support-bot", prompt="hi", max_tokens=1)
    retry_after = int(caught.value.response.headers["retry-after"])
    assert 1 <= retry_after <= 60 and caught.value.body["code"] == "rate_limit_exceeded"
    client(stack).models.list()  # other keys are not affected


def test_revoke_and_rotate(stack: Stack) -> None:
    made = stack.api.post("/api/keys", json={"deployment": "support-bot", "name": "temp"}).json()
    oa = client(stack, key=made["key"])
    oa.models.list()
    listed = stack.api.get("/api/keys", params={"deployment": "support-bot"}).json()
    assert all("hash" not in k and made["key"] not in str(k) for k in listed)
    assert stack.api.post(f"/api/keys/{made['id']}/revoke").json()["active"] is False
    with pytest.raises(openai.AuthenticationError):
        oa.models.list()
    other = stack.api.post("/api/keys", json={"deployment": "support-bot", "name": "rot"}).json()
    rotated = stack.api.post(f"/api/keys/{other['id']}/rotate").json()
    assert rotated["key"] != other["key"]
    client(stack, key=rotated["key"]).models.list()
    with pytest.raises(openai.AuthenticationError):
        client(stack, key=other["key"]).models.list()


def test_ab_split_rollback_and_usage(stack: Stack) -> None:
    v2 = stack.api.post(
        "/api/deployments", json={"run": stack.runs["b"], "name": "support-bot", "engine": "cpu"}
    )
    assert v2.status_code == 201, v2.text
    assert v2.json()["current_version"]["number"] == 2
    split = stack.api.post(
        "/api/deployments/support-bot/split", json={"version_a": 1, "version_b": 2, "weight_b": 0.3}
    )
    assert split.status_code == 200, split.text
    assert {v["number"]: v["weight"] for v in split.json()["split"]} == {1: 0.7, 2: 0.3}
    oa = client(stack)
    seen = {"support-bot-v1": 0, "support-bot-v2": 0}
    for _ in range(40):
        reply = oa.completions.create(model="support-bot", prompt="hi", max_tokens=1, temperature=0)
        seen[reply.model] += 1
    assert 4 <= seen["support-bot-v2"] <= 22 and seen["support-bot-v1"] > seen["support-bot-v2"]
    usage = stack.api.get("/api/deployments/support-bot/usage").json()
    arms = {arm["version"]: arm for arm in usage["by_version"]}
    assert (
        arms["v2"]["requests"] >= seen["support-bot-v2"] and arms["v1"]["requests"] >= seen["support-bot-v1"]
    )
    assert (
        usage["total"]["latency_ms"]["p50"] > 0
        and usage["total"]["latency_ms"]["p99"] >= usage["total"]["latency_ms"]["p50"]
    )
    assert (
        usage["total"]["output_tokens"] >= 40 and usage["total"]["errors"] >= 2 and usage["by_day"]
    )  # engine 400 + our 429

    stack.api.post(
        "/api/deployments/support-bot/split", json={"version_a": 2, "version_b": 1, "weight_b": 0.0}
    )
    back = stack.api.post("/api/deployments/support-bot/rollback")
    assert back.status_code == 200, back.text
    assert back.json()["current_version"]["number"] == 1
    assert oa.completions.create(model="support-bot", prompt="hi", max_tokens=1).model == "support-bot-v1"
    history = stack.api.get("/api/deployments/support-bot/versions").json()["history"]
    kinds = [e["kind"] for e in history]
    assert kinds[:2] == ["deploy", "activate"] and "split" in kinds and kinds[-1] == "rollback"


def test_engine_crash_503_then_restart(stack: Stack) -> None:
    dep = stack.api.get("/api/deployments/support-bot").json()
    os.kill(dep["engine_pid"], signal.SIGKILL)
    time.sleep(0.3)
    oa = client(stack)
    with pytest.raises(openai.InternalServerError) as caught:
        oa.completions.create(model="support-bot", prompt="hi", max_tokens=1)
    assert caught.value.status_code == 503
    states = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = stack.api.get("/api/deployments/support-bot").json()
        states.append(now["status"])
        if now["status"] == "live" and now["engine_pid"] != dep["engine_pid"]:
            break
        time.sleep(0.5)
    assert now["status"] == "live" and now["restarts"] >= 1, states
    assert oa.completions.create(model="support-bot", prompt="hi", max_tokens=1).model == "support-bot-v1"
    kinds = [e["kind"] for e in stack.api.get("/api/deployments/support-bot/versions").json()["history"]]
    assert "unhealthy" in kinds and "restart" in kinds


def test_stop_then_503_and_start(stack: Stack) -> None:
    stopped = stack.api.post("/api/deployments/support-bot/stop").json()
    assert stopped["status"] == "stopped" and stopped["engine_pid"] is None
    with pytest.raises(openai.InternalServerError) as caught:
        client(stack).completions.create(model="support-bot", prompt="hi", max_tokens=1)
    assert caught.value.status_code == 503
    started = stack.api.post("/api/deployments/support-bot/start").json()
    assert started["status"] == "live"
    test = stack.api.post("/api/deployments/support-bot/test", json={"prompt": "hi", "max_tokens": 3}).json()
    assert test["version"] == 1 and test["usage"]["completion_tokens"] <= 3
    logs = stack.api.get("/api/deployments/support-bot/logs").json()
    assert any("engine_ready" in line for line in logs["lines"])
