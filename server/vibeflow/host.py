"""Hosts the HTTP API, alone or beside the language server in one asyncio loop, on a loopback socket we bind ourselves."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vibeflow.settings import Settings

if TYPE_CHECKING:
    import uvicorn

TOKEN_ENV = "VIBEFLOW_TOKEN"


@dataclass
class Endpoint:
    """Where the API listens and the token it requires; written to $VIBEFLOW_HOME/server.json (mode 0600)."""

    url: str
    token: str
    pid: int

    def write(self, home: Path) -> Path:
        from vibeflow.store.private import private_dir

        path = private_dir(home) / "server.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"url": self.url, "token": self.token, "pid": self.pid}, handle)
        return path


def session_token() -> str:
    """The API's bearer token ($VIBEFLOW_TOKEN, else a fresh one); from now on no log line can contain it."""
    from vibeflow.redact import hide

    token = os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(32)
    hide(token)
    return token


def server_socket(host: str) -> socket.socket:
    """An unbound TCP server socket for HOST's address family (used for the API and the gateway)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP, and
    # without it a response's body waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def bind_loopback(host: str, port: int) -> socket.socket:
    if host not in {"127.0.0.1", "localhost", "::1"}:
        from vibeflow.errors import ConfigError

        raise ConfigError(f"refusing to listen on {host}", fix="the API is loopback-only: use 127.0.0.1")
    sock = server_socket(host)
    try:
        sock.bind((host, port))
    except OSError as error:
        from vibeflow.errors import ConfigError

        raise ConfigError(
            f"cannot listen on {host}:{port}: {error.strerror}",
            fix="choose another --port, or --port 0 to pick a free one",
        ) from error
    return sock


def endpoint_of(sock: socket.socket, token: str) -> Endpoint:
    """The URL clients use for a bound socket."""
    bound_host, bound_port = sock.getsockname()[:2]
    display_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    return Endpoint(url=f"http://{display_host}:{bound_port}", token=token, pid=os.getpid())


async def serve_http_on(
    settings: Settings,
    sock: socket.socket,
    token: str,
    on_ready: Callable[[Endpoint], None],
    started: Callable[[uvicorn.Server], None] | None = None,
) -> None:
    """Serve the API on an already bound socket until cancelled, signalled or told to exit."""
    import uvicorn

    from vibeflow.api.app import create_app

    app = create_app(settings, token)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    if started is not None:
        started(server)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if server.started:
        # Everything imported and built at startup lives as long as the process: keep it out of the cyclic
        # GC's scans, whose full passes over it stalled requests (the gateway's p95) for tens of ms.
        gc.freeze()
        endpoint = endpoint_of(sock, token)
        endpoint.write(settings.home)
        on_ready(endpoint)
    await task


async def serve_http(
    settings: Settings, host: str, port: int, token: str, on_ready: Callable[[Endpoint], None]
) -> None:
    """Serve the API until cancelled or signalled; calls on_ready once the socket accepts connections."""
    await serve_http_on(settings, bind_loopback(host, port), token, on_ready)


@dataclass
class HttpSlot:
    """The HTTP API running beside a foreground task: its URL/token (known at once) and how it is doing."""

    endpoint: Endpoint
    on_ready: Callable[[Endpoint], None] = lambda _endpoint: None
    on_error: Callable[[str], None] = lambda _message: None
    server: uvicorn.Server | None = None


async def serve_beside(
    settings: Settings,
    host: str,
    port: int,
    token: str,
    foreground: Callable[[HttpSlot], Awaitable[int]],
    start_after: asyncio.Event | None = None,
    start_timeout: float = 2.0,
) -> int:
    """Run `foreground` (the language server) and the HTTP API in this event loop; return its exit code.

    The socket is bound (and listening) before `foreground` starts, so the URL can be handed out at once;
    the app itself (imports, database migrations) starts once `start_after` is set, or after `start_timeout`
    seconds, so the language server answers `initialize` first. When `foreground` returns, the API shuts down.
    An API that fails to start is reported through `slot.on_error` and the foreground keeps running.
    """
    sock = bind_loopback(host, port)
    sock.listen(128)
    slot = HttpSlot(endpoint_of(sock, token))

    async def run_api() -> None:
        if start_after is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(start_after.wait(), start_timeout)
        await asyncio.sleep(0)  # let the initialize response go out first
        try:
            await serve_http_on(
                settings,
                sock,
                token,
                lambda endpoint: slot.on_ready(endpoint),
                lambda server: setattr(slot, "server", server),
            )
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # noqa: BLE001 - uvicorn exits via SystemExit on startup failure
            slot.on_error(f"{type(error).__name__}: {error}")

    api = asyncio.create_task(run_api())
    try:
        return await foreground(slot)
    finally:
        if slot.server is not None:
            slot.server.should_exit = True
        try:
            await asyncio.wait_for(api, 10)
        except (TimeoutError, asyncio.CancelledError):
            api.cancel()
