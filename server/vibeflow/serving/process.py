"""One engine process: started in its own session with output to a log file, ready when `/health` answers,
stopped with SIGTERM then SIGKILL; its death is noticed by polling, never by a pipe."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from vibeflow.errors import VibeFlowError
from vibeflow.serving.engines import EngineLaunch


class EngineStartError(VibeFlowError):
    """The engine exited or never became healthy; the message carries the tail of its log."""

    def __post_init__(self) -> None:
        self.http_status = 503
        super().__post_init__()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class EngineProcess:
    """Owns one engine subprocess and knows its URL once it is ready."""

    def __init__(self, launch: EngineLaunch, log_path: Path) -> None:
        self.launch = launch
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.url: str | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(
                f"\n--- engine start {time.strftime('%Y-%m-%d %H:%M:%S')}: {' '.join(self.launch.argv)}\n".encode()
            )
            log.flush()
            self.proc = subprocess.Popen(
                self.launch.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**_inherited(), **self.launch.env},
                start_new_session=True,
            )

    async def wait_ready(self, timeout: float = 300.0) -> str:
        """Wait for the ready file (CPU engine) or the known port, then for `/health` 200; return the URL."""
        deadline = time.monotonic() + timeout
        port = self.launch.port
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    code = self.proc.returncode if self.proc else None
                    raise EngineStartError(
                        f"the engine exited with code {code} while starting:\n{log_tail(self.log_path)}",
                        fix=f"read the engine log {self.log_path}",
                    )
                if port is None and self.launch.ready_file and self.launch.ready_file.is_file():
                    with contextlib.suppress(ValueError, OSError):
                        port = int(json.loads(self.launch.ready_file.read_text())["port"])
                if port is not None:
                    url = f"http://127.0.0.1:{port}"
                    with contextlib.suppress(httpx.HTTPError):
                        if (await client.get(f"{url}/health")).status_code == 200:
                            self.url = url
                            return url
                await asyncio.sleep(0.2)
        await self.stop()
        raise EngineStartError(
            f"the engine did not become healthy within {timeout:.0f} s:\n{log_tail(self.log_path)}",
            fix=f"read the engine log {self.log_path}; large models need more time or memory",
        )

    async def stop(self, grace_s: float = 10.0) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while self.proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            await asyncio.to_thread(self.proc.wait)


def _inherited() -> dict[str, str]:
    """The backend's environment minus an engine API key: a local engine needs none unless its launch sets one."""
    return {name: value for name, value in os.environ.items() if name != "VIBEFLOW_ENGINE_API_KEY"}


def kill_stale(pid: int | None) -> None:
    """Stop an engine a previous backend left running (only when it is one of our engine commands)."""
    if not pid:
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return
    if b"vibeflow_trainer serve" in cmdline or b"vllm serve" in cmdline:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)
