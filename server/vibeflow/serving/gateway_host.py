"""Hosts the gateway: its own uvicorn server in the backend's asyncio loop, on its own port (default
127.0.0.1:8787, `$VIBEFLOW_GATEWAY_HOST` / `$VIBEFLOW_GATEWAY_PORT`), so the session-token API and the
key-protected OpenAI API never share a socket. A non-loopback bind is refused until an API key exists."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from typing import TYPE_CHECKING, Any

from vibeflow.errors import ConfigError
from vibeflow.host import server_socket

if TYPE_CHECKING:
    from vibeflow.serving.manager import ServingManager

DEFAULT_PORT = 8787
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def gateway_address() -> tuple[str, int, bool]:
    """(host, port, explicit_port) from the environment."""
    host = os.environ.get("VIBEFLOW_GATEWAY_HOST") or "127.0.0.1"
    raw = os.environ.get("VIBEFLOW_GATEWAY_PORT")
    try:
        port = int(raw) if raw else DEFAULT_PORT
    except ValueError as exc:
        raise ConfigError(
            f"VIBEFLOW_GATEWAY_PORT={raw!r} is not a port", fix="set a number, or 0 for any"
        ) from exc
    return host, port, raw is not None


def bind(host: str, port: int, explicit: bool) -> socket.socket:
    sock = server_socket(host)
    try:
        sock.bind((host, port))
    except OSError as error:
        if explicit or port == 0:
            sock.close()
            raise ConfigError(
                f"the gateway cannot listen on {host}:{port}: {error.strerror}",
                fix="set VIBEFLOW_GATEWAY_PORT to a free port (0 picks one)",
            ) from error
        sock.bind((host, 0))  # the default port is taken (another backend?): take any free one
    return sock


class GatewayHost:
    """Starts/stops the gateway's uvicorn server; `url` is where clients send OpenAI requests."""

    def __init__(self, manager: ServingManager) -> None:
        self.manager = manager
        self.server: Any = None
        self.task: asyncio.Task[None] | None = None
        self.gateway: Any = None
        self.url: str | None = None
        self.host: str | None = None
        self.error: str | None = None

    @property
    def running(self) -> bool:
        return self.server is not None and self.task is not None and not self.task.done()

    async def try_start(self) -> None:
        """Start if not running; a refusal is kept in `error` (and shown by the API) instead of raising."""
        if self.running:
            return
        try:
            await self.start()
            self.error = None
        except ConfigError as error:
            self.error = f"{error.message} (fix: {error.fix})"

    async def start(self) -> None:
        import uvicorn

        from vibeflow.serving.gateway import Gateway, build_app

        host, port, explicit = gateway_address()
        self.host = host
        if host not in LOOPBACK and not await self.manager.keys.any_active():
            raise ConfigError(
                f"refusing to expose the gateway on {host} without any API key",
                fix="create a key first (`vibeflow deployments keys create`), or keep the default 127.0.0.1",
            )
        sock = bind(host, port, explicit)
        sock.listen(512)
        self.gateway = Gateway(self.manager)
        config = uvicorn.Config(
            build_app(self.gateway), log_level="warning", access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        # uvicorn chains signal handlers: on SIGTERM the gateway stops first, then re-raises to the backend's.
        self.task = asyncio.create_task(self.server.serve(sockets=[sock]))
        while not self.server.started and not self.task.done():
            await asyncio.sleep(0.01)
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self.url = f"http://{shown}:{bound_port}"

    async def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self.task, 10)
        if self.gateway is not None:
            await self.gateway.close()

    def view(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "url": self.url,
            "base_url": f"{self.url}/v1" if self.url else None,
            "host": self.host,
            "loopback_only": self.host in LOOPBACK if self.host else True,
            "error": self.error,
        }
