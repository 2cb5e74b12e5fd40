"""A local HTTP server that speaks the Gemini REST API, so tests drive the real google-genai client offline.

Why: the Gemini service is unreachable from tests; this stub answers on a real socket with the same wire format
(`POST /{version}/models/{model}:generateContent`, and `:streamGenerateContent?alt=sse`), so the whole client
stack — request building, headers, JSON (de)serialisation, error mapping, timeouts — runs for real.

API
---
    from tests.support.gemini_stub import GeminiStub

    with GeminiStub(api_key="test-key") as stub:           # threaded server on 127.0.0.1:<free port>
        monkeypatch.setenv("GEMINI_API_KEY", "test-key")
        monkeypatch.setenv("VIBEFLOW_GEMINI_BASE_URL", stub.base_url)
        stub.reply_text("Hello")                          # next request gets this text
        stub.reply_json({"score": 4, "reason": "ok"})     # a JSON *text* reply (LLM-as-judge)
        stub.reply_function_call("recommend_setup", {"task": "support bot"})   # a functionCall part
        stub.reply_function_calls([("list_gpus", {}), ("list_models", {})])    # several in one reply
        stub.reply_error(429)                             # {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}
        stub.reply_error(500, "boom")
        stub.reply_raw('{"candidates": [', status=200)     # a broken body
        stub.reply_text("late", delay_s=5)                # sleeps before answering (client timeouts)
        stub.reply_blocked()                              # promptFeedback.blockReason, no candidates
        ...
        stub.requests          # list[RecordedRequest]: .model, .method, .path, .headers, .body (parsed JSON)
        stub.requests[-1].function_responses()   # [{"name", "response"}] the client sent back
        stub.requests[-1].text()                 # all user/model text parts of the last request
        stub.wait_for_requests(2, timeout=5)

Replies are consumed first in, first out. When the queue is empty the `responder` (a callable taking the
RecordedRequest and returning a `Reply`, e.g. `lambda req: Reply.json_text({...})`) answers; without one the
stub answers `default_text` ("OK"). `GeminiStub(api_key=...)` rejects other keys with the API's real 400
`API_KEY_INVALID` error; `api_key=None` accepts any key. Thread-safe; `stub.reset()` clears queue and log.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@dataclass
class RecordedRequest:
    """One request as the stub received it."""

    method: str
    path: str
    model: str
    action: str
    headers: dict[str, str]
    body: Any

    def contents(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("contents") or [])

    def text(self) -> str:
        return "\n".join(
            part["text"] for content in self.contents() for part in content.get("parts", []) if "text" in part
        )

    def function_calls(self) -> list[dict[str, Any]]:
        """The model's functionCall parts echoed back in this request's history."""
        return [
            part["functionCall"]
            for content in self.contents()
            for part in content.get("parts", [])
            if "functionCall" in part
        ]

    def function_responses(self) -> list[dict[str, Any]]:
        """The functionResponse parts the client sent (the results of tool calls)."""
        return [
            part["functionResponse"]
            for content in self.contents()
            for part in content.get("parts", [])
            if "functionResponse" in part
        ]

    def tool_names(self) -> list[str]:
        names: list[str] = []
        for tool in (self.body or {}).get("tools") or []:
            names += [d["name"] for d in tool.get("functionDeclarations") or []]
        return names

    def system_text(self) -> str:
        system = (self.body or {}).get("systemInstruction") or {}
        return "\n".join(p.get("text", "") for p in system.get("parts", []))

    def generation_config(self) -> dict[str, Any]:
        return dict((self.body or {}).get("generationConfig") or {})


@dataclass
class Reply:
    """One scripted answer: an HTTP status, a JSON body (or raw text), and an optional delay."""

    status: int = 200
    body: Any = None
    raw: str | None = None
    delay_s: float = 0.0

    @staticmethod
    def parts(parts: list[dict[str, Any]], finish: str = "STOP", delay_s: float = 0.0) -> Reply:
        body = {
            "candidates": [
                {"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}
            ],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
            "modelVersion": "stub",
        }
        return Reply(body=body, delay_s=delay_s)

    @staticmethod
    def text(text: str, delay_s: float = 0.0) -> Reply:
        return Reply.parts([{"text": text}], delay_s=delay_s)

    @staticmethod
    def json_text(value: Any, delay_s: float = 0.0) -> Reply:
        return Reply.text(json.dumps(value), delay_s=delay_s)

    @staticmethod
    def function_calls(calls: Iterable[tuple[str, dict[str, Any]]], text: str | None = None) -> Reply:
        parts: list[dict[str, Any]] = [{"text": text}] if text else []
        parts += [{"functionCall": {"name": name, "args": args}} for name, args in calls]
        return Reply.parts(parts)

    @staticmethod
    def error(status: int, message: str | None = None, delay_s: float = 0.0) -> Reply:
        name = STATUS_NAMES.get(status, "UNKNOWN")
        body = {"error": {"code": status, "message": message or f"stub error {status}", "status": name}}
        return Reply(status=status, body=body, delay_s=delay_s)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def _send(self, status: int, payload: str, content_type: str = "application/json") -> None:
        data = payload.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts)
            self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._send(404, json.dumps(Reply.error(404, "only generateContent is served").body))

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        stub = self.server.stub
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = {"_unparsed": raw.decode(errors="replace")}
        path = urlsplit(self.path).path
        model, _, action = path.rsplit("/", 1)[-1].partition(":")
        request = RecordedRequest(
            method="POST",
            path=self.path,
            model=model,
            action=action,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        reply = stub._next_reply(request)
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if action not in ("generateContent", "streamGenerateContent"):
            self._send(404, json.dumps(Reply.error(404, f"unknown method {action!r}").body))
            return
        if stub.api_key is not None and request.headers.get("x-goog-api-key") != stub.api_key:
            message = "API key not valid. Please pass a valid API key."
            self._send(400, json.dumps(Reply.error(400, message).body))
            return
        if reply.raw is not None:
            self._send(reply.status, reply.raw)
        elif action == "streamGenerateContent" and reply.status == 200:
            self._send(reply.status, f"data: {json.dumps(reply.body)}\r\n\r\n", "text/event-stream")
        else:
            self._send(reply.status, json.dumps(reply.body))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: GeminiStub


@dataclass
class GeminiStub:
    """The stub server; use as a context manager (or start()/stop())."""

    api_key: str | None = None
    responder: Callable[[RecordedRequest], Reply] | None = None
    default_text: str = "OK"
    requests: list[RecordedRequest] = field(default_factory=list)
    _queue: deque[Reply] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: _Server | None = None
    _thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> GeminiStub:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="gemini-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GeminiStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the stub first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- scripting -------------------------------------------------------------------------------------
    def push(self, reply: Reply) -> GeminiStub:
        with self._lock:
            self._queue.append(reply)
        return self

    def reply_text(self, text: str, delay_s: float = 0.0) -> GeminiStub:
        return self.push(Reply.text(text, delay_s))

    def reply_json(self, value: Any, delay_s: float = 0.0) -> GeminiStub:
        return self.push(Reply.json_text(value, delay_s))

    def reply_function_call(
        self, name: str, args: dict[str, Any] | None = None, text: str | None = None
    ) -> GeminiStub:
        return self.push(Reply.function_calls([(name, args or {})], text))

    def reply_function_calls(self, calls: Iterable[tuple[str, dict[str, Any]]]) -> GeminiStub:
        return self.push(Reply.function_calls(calls))

    def reply_error(self, status: int, message: str | None = None, delay_s: float = 0.0) -> GeminiStub:
        return self.push(Reply.error(status, message, delay_s))

    def reply_raw(self, raw: str, status: int = 200, delay_s: float = 0.0) -> GeminiStub:
        return self.push(Reply(status=status, raw=raw, delay_s=delay_s))

    def reply_blocked(self, reason: str = "SAFETY") -> GeminiStub:
        return self.push(Reply(body={"promptFeedback": {"blockReason": reason}, "modelVersion": "stub"}))

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} requests, got {len(self.requests)}")

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            return self.responder(request)
        return Reply.text(self.default_text)
