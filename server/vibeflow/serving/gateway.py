"""The OpenAI-compatible gateway in front of every engine (a bare ASGI app, for low overhead): API key auth,
per-key rate limits, A/B arm choice, streaming pass-through, usage metering and OpenAI-style errors."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

if TYPE_CHECKING:
    from vibeflow.serving.manager import ServingManager

GENERATION_PATHS = {"/v1/chat/completions": "chat", "/v1/completions": "completions"}


def oa_error(
    status: int,
    message: str,
    kind: str,
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return header[7:].strip()
    return None


class Gateway:
    """Request handling; routing state (deployments, arms, keys) lives in the ServingManager."""

    def __init__(self, manager: ServingManager) -> None:
        self.manager = manager
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        # aiohttp's client keeps the proxy hop cheap (keep-alive pool, C parser); created inside the loop.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256, keepalive_timeout=30),
                timeout=aiohttp.ClientTimeout(total=600, sock_connect=5),
                auto_decompress=False,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _auth(self, request: Request) -> tuple[Any, Response | None]:
        secret = _bearer(request)
        if not secret:
            return None, oa_error(
                401,
                "You didn't provide an API key. Send 'Authorization: Bearer <key>' (create one with "
                "`vibeflow deployments keys create`).",
                "invalid_request_error",
                "missing_api_key",
            )
        key = await self.manager.keys.authenticate(secret)
        if key is None:
            return None, oa_error(
                401, "Incorrect, revoked or rotated API key.", "invalid_request_error", "invalid_api_key"
            )
        wait = self.manager.limiter.check(key.id, key.rate_limit_per_minute)
        if wait:
            return key, oa_error(
                429,
                f"Rate limit reached: {key.rate_limit_per_minute} requests per minute for this key. "
                f"Retry in {wait} s.",
                "requests",
                "rate_limit_exceeded",
                headers={"Retry-After": str(wait)},
            )
        return key, None

    async def _target(self, request: Request, project_id: int) -> str | None:
        try:
            model = orjson.loads(await request.body()).get("model")
        except (orjson.JSONDecodeError, AttributeError):
            return None
        route = self.manager.routes.get(model) if isinstance(model, str) else None
        return route.id if route is not None and route.project_id == project_id else None

    async def models(self, request: Request) -> Response:
        key, denied = await self._auth(request)
        if denied:
            return denied
        data = [
            {"id": route.name, "object": "model", "created": route.created, "owned_by": "vibeflow"}
            for route in self.manager.routes.values()
            if route.project_id == key.project_id
            and route.arms  # refused/never-live deployments serve nothing
        ]
        return Response(orjson.dumps({"object": "list", "data": data}), media_type="application/json")

    async def generate(self, request: Request) -> Response:
        started = time.perf_counter()
        endpoint = GENERATION_PATHS[request.url.path]
        key, denied = await self._auth(request)
        if denied:
            if key is not None:  # rate limited: count it against the deployment it was meant for
                self.manager.meter.record(
                    deployment_id=await self._target(request, key.project_id),
                    key_id=key.id,
                    endpoint=endpoint,
                    status=429,
                    latency_ms=_ms(started),
                    error="rate_limited",
                )
            return denied
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return oa_error(400, "The request body is not valid JSON.", "invalid_request_error")
        problem = _malformed(body, endpoint)
        if problem:
            return oa_error(400, problem[0], "invalid_request_error", param=problem[1])
        route = self.manager.routes.get(body["model"])
        if route is None or route.project_id != key.project_id:
            return oa_error(
                404,
                f"The model `{body['model']}` does not exist or you do not have access to it.",
                "invalid_request_error",
                "model_not_found",
                "model",
            )
        if route.status != "live" or not route.engine_url:
            return oa_error(
                503,
                f"Deployment {route.name} is {route.status}: {route.message or 'not serving'}",
                "server_error",
                "deployment_unavailable",
            )
        arm = _pick(route.arms)
        body["model"] = arm.served_name
        stream = bool(body.get("stream"))
        wants_usage = False
        if stream:
            options = body.get("stream_options") if isinstance(body.get("stream_options"), dict) else {}
            wants_usage = bool(options.get("include_usage"))
            body["stream_options"] = {**options, "include_usage": True}
        url = f"{route.engine_url}{request.url.path}"
        headers = {
            "content-type": "application/json",
            "x-vibeflow-deployment": route.name,
            "x-vibeflow-version": arm.served_name,
        }
        record = {
            "deployment_id": route.id,
            "version_id": arm.version_id,
            "key_id": key.id,
            "endpoint": endpoint,
        }
        try:
            upstream = await self.session.post(url, data=orjson.dumps(body), headers=route.upstream_headers)
            if not stream or upstream.status != 200:
                content = await upstream.read()
                upstream.release()
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as exc:
            self.manager.engine_failed(route.id, f"{type(exc).__name__}: {exc}")
            self.manager.meter.record(**record, status=503, latency_ms=_ms(started), error="engine_down")
            return oa_error(
                503,
                f"The engine of deployment {route.name} is not responding; it is being restarted. Retry shortly.",
                "server_error",
                "engine_unavailable",
            )
        if not stream or upstream.status != 200:
            usage = _usage(content) if upstream.status == 200 else None
            self._meter(record, route, upstream.status, started, usage)
            return Response(
                content, status_code=upstream.status, media_type="application/json", headers=headers
            )
        return StreamingResponse(
            self._relay(upstream, record, route, started, wants_usage),
            media_type="text/event-stream",
            headers={**headers, "cache-control": "no-cache"},
        )

    async def _relay(
        self,
        upstream: aiohttp.ClientResponse,
        record: dict[str, Any],
        route: Any,
        started: float,
        wants_usage: bool,
    ) -> AsyncIterator[bytes]:
        """Pass SSE events through as they come; read (and, unless asked for, drop) the usage event."""
        buffer = b""
        usage = None
        status = 200
        try:
            async for piece in upstream.content.iter_any():
                buffer += piece
                out = []
                while b"\n\n" in buffer:
                    event, buffer = buffer.split(b"\n\n", 1)
                    if b'"choices": []' in event or b'"choices":[]' in event:
                        found = _usage(event[event.find(b"{") :])
                        if found is not None:
                            usage = found
                            if not wants_usage:
                                continue
                    out.append(event + b"\n\n")
                if out:
                    yield b"".join(out)
            if buffer:
                yield buffer
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            status = 503
            self.manager.engine_failed(route.id, f"stream broke: {exc}")
        finally:
            upstream.release()
            self._meter(record, route, status, started, usage)

    def _meter(
        self, record: dict[str, Any], route: Any, status: int, started: float, usage: dict[str, Any] | None
    ) -> None:
        latency = _ms(started)
        cost = route.cost_per_hour_usd * latency / 3_600_000.0
        self.manager.meter.record(
            **record,
            status=status,
            latency_ms=latency,
            input_tokens=int((usage or {}).get("prompt_tokens") or 0),
            output_tokens=int((usage or {}).get("completion_tokens") or 0),
            cost_usd=cost,
            error=None if status < 400 else f"http_{status}",
        )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _usage(content: bytes) -> dict[str, Any] | None:
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError:
        return None
    return data.get("usage") if isinstance(data, dict) else None


def _pick(arms: list[Any]) -> Any:
    if len(arms) == 1:
        return arms[0]
    point = random.random() * sum(arm.weight for arm in arms)
    for arm in arms:
        point -= arm.weight
        if point < 0:
            return arm
    return arms[-1]


def _malformed(body: Any, endpoint: str) -> tuple[str, str | None] | None:
    if not isinstance(body, dict):
        return "The request body must be a JSON object.", None
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "You must provide a model parameter.", "model"
    if endpoint == "chat":
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "'messages' must be a non-empty array of {role, content} objects.", "messages"
        if not all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages):
            return "Each message needs a 'role' and 'content'.", "messages"
    elif not isinstance(body.get("prompt"), str | list):
        return "'prompt' must be a string.", "prompt"
    if "stream" in body and not isinstance(body["stream"], bool):
        return "'stream' must be a boolean.", "stream"
    return None


def build_app(gateway: Gateway) -> Any:
    from starlette.applications import Starlette

    async def not_found(request: Request, _exc: Exception) -> Response:
        return oa_error(
            404,
            f"Unknown route {request.method} {request.url.path}; the gateway serves /v1/models, "
            "/v1/chat/completions and /v1/completions.",
            "invalid_request_error",
            "unknown_url",
        )

    return Starlette(
        routes=[
            Route("/v1/models", gateway.models, methods=["GET"]),
            Route("/v1/chat/completions", gateway.generate, methods=["POST"]),
            Route("/v1/completions", gateway.generate, methods=["POST"]),
        ],
        exception_handlers={404: not_found, 405: not_found},
    )
