"""The CPU engine's HTTP server (stdlib, HTTP/1.1 keep-alive, chunked SSE): OpenAI routes plus vLLM's
`/tokenize`, `/health` and runtime LoRA loading, so the backend drives this engine and vLLM the same way."""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from vibeflow_trainer.serve import protocol as p
from vibeflow_trainer.serve.model import ModelHost, RequestError
from vibeflow_trainer.serve.spec import EngineSpec


class Handler(BaseHTTPRequestHandler):
    """Routes one request; the ModelHost is on the server object."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle on, the body waits for the client's delayed ACK
    # (~40 ms on Linux) on a kept-alive connection, which doubled short completions' latency.
    disable_nagle_algorithm = True
    server: EngineServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return None

    # -- plumbing ---------------------------------------------------------------------------------------
    def _send(self, status: int, body: dict[str, Any] | list[Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, param: str | None = None) -> None:
        self._send(status, p.error_body(message, status, param))

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise RequestError("the request body is not valid JSON", 400) from None
        if not isinstance(body, dict):
            raise RequestError("the request body must be a JSON object", 400)
        return body

    def _chunk(self, payload: dict[str, Any] | str) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        data = f"data: {text}\n\n".encode()
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _authorized(self) -> bool:
        """With an API key set, /v1 routes need it as a bearer token (vLLM's --api-key rule); on refusal the
        connection closes, since the unread request body would otherwise be parsed as the next request."""
        key = self.server.api_key
        if not key or not self.path.startswith("/v1") or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self.close_connection = True
        self._error(401, "Unauthorized")
        return False

    # -- routes -----------------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        host = self.server.host
        if not self._authorized():
            return
        if self.path == "/health":
            self._send(200, {"status": "ok", "models": host.names, "pid": os.getpid()})
        elif self.path == "/v1/models":
            created = int(self.server.started)
            data = [
                {"id": name, "object": "model", "created": created, "owned_by": "vibeflow", "root": name}
                for name in host.names
            ]
            self._send(200, {"object": "list", "data": data})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        routes = {
            "/v1/chat/completions": self._chat,
            "/v1/completions": self._completions,
            "/tokenize": self._tokenize,
            "/v1/load_lora_adapter": self._load,
            "/v1/unload_lora_adapter": self._unload,
        }
        route = routes.get(self.path.split("?", 1)[0])
        if not self._authorized():
            return
        if route is None:
            self._error(404, f"no route {self.path}")
            return
        try:
            route(self._body())
        except RequestError as exc:
            self._error(exc.status, str(exc), exc.param)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - report, keep serving
            self._error(500, f"{type(exc).__name__}: {exc}")

    def _model(self, body: dict[str, Any]) -> str:
        name = body.get("model")
        if not isinstance(name, str) or not name:
            raise RequestError("model is required", 400, "model")
        self.server.host.tokenizer(name)  # 404 when unknown
        return name

    def _chat(self, body: dict[str, Any]) -> None:
        host = self.server.host
        name = self._model(body)
        prompt = host.chat_prompt(name, p.messages_of(body))
        default_max = max(1, min(host.spec.max_new_tokens, host.max_model_len - len(prompt)))
        self._generate(body, name, prompt, p.sampling_of(body, default_max), chat=True)

    def _completions(self, body: dict[str, Any]) -> None:
        host = self.server.host
        name = self._model(body)
        prompt_text = body.get("prompt")
        if isinstance(prompt_text, list) and len(prompt_text) == 1 and isinstance(prompt_text[0], str):
            prompt_text = prompt_text[0]
        if not isinstance(prompt_text, str):
            raise RequestError("prompt must be a string", 400, "prompt")
        self._generate(body, name, host.text_prompt(name, prompt_text), p.sampling_of(body, 16), chat=False)

    def _generate(
        self, body: dict[str, Any], name: str, prompt: list[int], sampling: Any, chat: bool
    ) -> None:
        host = self.server.host
        rid = p.new_id("chatcmpl" if chat else "cmpl")
        steps = host.generate(name, prompt, sampling)
        if not body.get("stream"):
            text, finish, count = [], "length", 0
            for step in steps:
                text.append(step.text)
                count += step.token_id is not None
                if step.finish_reason:
                    finish = step.finish_reason
            make = p.chat_response if chat else p.completion_response
            self._send(200, make(rid, name, "".join(text), finish, len(prompt), count))
            return
        first = next(steps)  # errors (context too long) surface before the 200
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        kind = "chat.completion.chunk" if chat else "text_completion"
        if chat:
            self._chunk(p.chat_chunk(rid, name, {"role": "assistant", "content": ""}, None))
        generated = 0
        for step in _chain(first, steps):
            generated += step.token_id is not None
            if step.text or step.finish_reason:
                if chat:
                    delta = {"content": step.text} if step.text else {}
                    self._chunk(p.chat_chunk(rid, name, delta, step.finish_reason))
                else:
                    self._chunk(p.completion_chunk(rid, name, step.text, step.finish_reason))
        options = body.get("stream_options") or {}
        if isinstance(options, dict) and options.get("include_usage"):
            self._chunk(p.usage_chunk(rid, name, kind, len(prompt), generated))
        self._chunk("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _tokenize(self, body: dict[str, Any]) -> None:
        host = self.server.host
        name = self._model(body)
        if "messages" in body:
            add = bool(body.get("add_generation_prompt", True))
            tokens = host.chat_prompt(name, p.messages_of(body), add_generation_prompt=add)
        elif isinstance(body.get("prompt"), str):
            tokens = host.text_prompt(name, body["prompt"])
        else:
            raise RequestError("send messages or prompt", 400, "messages")
        self._send(200, {"count": len(tokens), "max_model_len": host.max_model_len, "tokens": tokens})

    def _load(self, body: dict[str, Any]) -> None:
        name, path = body.get("lora_name"), body.get("lora_path")
        if not isinstance(name, str) or not isinstance(path, str):
            raise RequestError("lora_name and lora_path are required", 400, "lora_name")
        self.server.host.load_adapter(name, path)
        self._send(200, {"status": "ok", "message": f"Success: LoRA adapter '{name}' added successfully."})

    def _unload(self, body: dict[str, Any]) -> None:
        name = body.get("lora_name")
        if not isinstance(name, str):
            raise RequestError("lora_name is required", 400, "lora_name")
        self.server.host.unload_adapter(name)
        self._send(200, {"status": "ok", "message": f"Success: LoRA adapter '{name}' removed successfully."})


def _chain(first: Any, rest: Any) -> Any:
    yield first
    yield from rest


class EngineServer(ThreadingHTTPServer):
    """A threading HTTP server that carries the model host."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], host: ModelHost) -> None:
        super().__init__(address, Handler)
        self.host = host
        self.started = time.time()
        # set for engines reachable by others (a cloud replica); the backend's local engines need none
        self.api_key = os.environ.get("VIBEFLOW_ENGINE_API_KEY") or None


def serve(spec: EngineSpec) -> int:
    """Load the models, bind, announce readiness (ready_file + a stdout line), serve until SIGTERM/SIGINT."""
    host = ModelHost(spec)
    gc.freeze()  # the loaded models and libraries stay: spare them the cyclic GC's full scans mid-request
    server = EngineServer((spec.host, spec.port), host)
    port = server.server_address[1]
    ready = {"type": "engine_ready", "port": port, "pid": os.getpid(), "models": host.names}
    if spec.ready_file:
        target = Path(spec.ready_file)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(ready), encoding="utf-8")
        os.replace(tmp, target)
    print("@@vibeflow@@ " + json.dumps(ready), flush=True)

    def stop(signum: int, _frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    print("@@vibeflow@@ " + json.dumps({"type": "engine_stopped", "pid": os.getpid()}), flush=True)
    sys.stdout.flush()
    return 0
