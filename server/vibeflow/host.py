"""Hosts the HTTP API (and later the language server) in one asyncio loop, on a loopback socket we bind ourselves."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vibeflow.settings import Settings

TOKEN_ENV = "VIBEFLOW_TOKEN"


@dataclass
class Endpoint:
    """Where the API listens and the token it requires; written to $VIBEFLOW_HOME/server.json (mode 0600)."""

    url: str
    token: str
    pid: int

    def write(self, home: Path) -> Path:
        home.mkdir(parents=True, exist_ok=True)
        path = home / "server.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"url": self.url, "token": self.token, "pid": self.pid}, handle)
        return path


def session_token() -> str:
    return os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(32)


def bind_loopback(host: str, port: int) -> socket.socket:
    if host not in {"127.0.0.1", "localhost", "::1"}:
        from vibeflow.errors import ConfigError

        raise ConfigError(f"refusing to listen on {host}", fix="the API is loopback-only: use 127.0.0.1")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        from vibeflow.errors import ConfigError

        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror}",
                          fix="choose another --port, or --port 0 to pick a free one") from error
    return sock


async def serve_http(
    settings: Settings, host: str, port: int, token: str, on_ready: Callable[[Endpoint], None]
) -> None:
    """Serve the API until cancelled or signalled; calls on_ready once the socket accepts connections."""
    import uvicorn

    from vibeflow.api.app import create_app

    sock = bind_loopback(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    app = create_app(settings, token)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if server.started:
        display_host = f"[{bound_host}]" if ":" in bound_host else bound_host
        endpoint = Endpoint(url=f"http://{display_host}:{bound_port}", token=token, pid=os.getpid())
        endpoint.write(settings.home)
        on_ready(endpoint)
    await task
