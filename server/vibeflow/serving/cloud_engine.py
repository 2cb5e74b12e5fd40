"""A deployment's engine on a cloud GPU: a SkyServe service running vLLM, driven like a local engine process
(wait until ready, stop, its URL) so the gateway routes, meters and A/B-splits it the same way.

Unlike a local engine it outlives the backend (a restart re-attaches to the running service instead of paying
for a new one), it is stopped only by the user (`vibeflow deployments stop` → `sky serve down`), and it is
called with a per-deployment key because its endpoint is public.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import time
from pathlib import Path
from typing import Any

import httpx

from vibeflow.cloud.errors import CloudError
from vibeflow.serving.process import EngineStartError

READY = "READY"
GONE = {"FAILED", "FAILED_CLEANUP", "SHUTTING_DOWN", "CONTROLLER_FAILED"}
POLL_S = float(os.environ.get("VIBEFLOW_SKYSERVE_POLL_S", "10"))


def engine_key(folder: Path) -> tuple[str, Path]:
    """The deployment's engine key (created once, readable by this user only) and its file."""
    path = folder / "engine.key"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip(), path


def engine_headers(dep: Any) -> dict[str, str]:
    """Headers for calling a deployment's engine: the key for a cloud engine, nothing for a local one."""
    key_file = (dep.options or {}).get("engine_key_file")
    if dep.engine != "cloud" or not key_file:
        return {}
    try:
        return {"Authorization": f"Bearer {Path(key_file).read_text().strip()}"}
    except OSError:
        return {}


class CloudEngine:
    """The EngineProcess interface over a SkyServe service named after the deployment."""

    persistent = True  # the backend's shutdown leaves it running
    proc = None
    pid = None

    def __init__(self, name: str, task_path: Path, log_path: Path, key: str, driver: Any) -> None:
        self.name, self.task_path, self.log_path, self.key = name, task_path, log_path, key
        self.driver = driver
        self.url: str | None = None
        self.stopped = False
        self.redeploy = False  # set when the task changed (new adapters): `sky serve update`

    @property
    def secrets(self) -> dict[str, str]:
        from vibeflow.cloud.serve import ENGINE_KEY_ENV

        found = {ENGINE_KEY_ENV: self.key}
        if os.environ.get("HF_TOKEN"):
            found["HF_TOKEN"] = os.environ["HF_TOKEN"]
        return found

    def alive(self) -> bool:
        return not self.stopped

    def start(self) -> None:
        """Nothing to fork: launching is part of `wait_ready` (it blocks for minutes)."""

    async def wait_ready(self, timeout: float = 3600.0) -> str:
        """Launch the service (or update it, or re-attach to it), then wait for READY and `/health`.

        A service that fails or is not ready in time is taken down (`sky serve down`) before the error is
        raised: nothing is left running, and costing, in a state nobody follows.
        """
        try:
            current = await asyncio.to_thread(self.driver.status, self.name)
            if current is not None and current.get("status") in GONE:
                await asyncio.to_thread(self.driver.down, self.name, self.log_path)
                current = None
            if current is None:
                await asyncio.to_thread(
                    self.driver.up, self.task_path, self.name, self.secrets, self.log_path
                )
            elif self.redeploy:
                await asyncio.to_thread(
                    self.driver.update, self.task_path, self.name, self.secrets, self.log_path
                )
            self.redeploy = False
            return await self._until_ready(timeout)
        except CloudError as error:
            raise EngineStartError(error.message, fix=error.fix, details=error.details) from error
        except EngineStartError:
            with contextlib.suppress(CloudError):
                await asyncio.to_thread(self.driver.down, self.name, self.log_path)
            self.stopped = True
            raise

    async def _until_ready(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        status: dict[str, Any] | None = None
        async with httpx.AsyncClient(timeout=10) as client:
            while time.monotonic() < deadline:
                status = await asyncio.to_thread(self.driver.status, self.name)
                state = (status or {}).get("status")
                endpoint = (status or {}).get("endpoint")
                if state in GONE:
                    raise EngineStartError(
                        f"SkyServe service {self.name} is {state}; it was taken down",
                        fix=f"read {self.log_path} (and `sky serve logs --controller {self.name}`), then "
                        "`vibeflow deployments start` to launch it again",
                    )
                if state == READY and endpoint:
                    url = endpoint if "://" in endpoint else f"http://{endpoint}"
                    try:
                        if (await client.get(f"{url}/health")).status_code == 200:
                            self.url = url
                            return url
                    except httpx.HTTPError:
                        pass
                await asyncio.sleep(POLL_S)
        raise EngineStartError(
            f"SkyServe service {self.name} was not ready within {timeout:.0f} s "
            f"(last status: {(status or {}).get('status', 'unknown')}); it was taken down",
            fix=f"read {self.log_path}; a large model may need longer: deploy again with "
            "--start-timeout SECONDS, or pick a bigger GPU",
        )

    async def stop(self, grace_s: float = 0.0) -> None:
        """`sky serve down`: the replicas and their cost stop."""
        self.stopped = True
        try:
            await asyncio.to_thread(self.driver.down, self.name, self.log_path)
        except CloudError as error:
            raise EngineStartError(error.message, fix=error.fix) from error


def prepare(folder: Path, dep: Any, adapters: dict[str, str]) -> tuple[Path, dict[str, Any]]:
    """Write the deployment's SkyServe task; SkyPilot validates it and prices its replicas.

    Returns (task path, plan) where plan has the chosen offer and `usd_per_hour` for all replicas.
    Raises CloudError (no cloud enabled, nothing offered, invalid task) before anything is launched.
    """
    from vibeflow.cloud.plan import plan_serving
    from vibeflow.cloud.serve import serve_task, service_name, write_serve_task
    from vibeflow.serving.engines import trained_chat_template

    options = dep.options or {}
    first = next(iter(adapters.values()))
    template = options.get("chat_template") or trained_chat_template(first)
    task = serve_task(
        service_name(dep.name),
        dep.base_model,
        {name: Path(path) for name, path in adapters.items()},
        gpu=options.get("gpu") or "L4",
        replicas=int(options.get("replicas") or 1),
        chat_template=Path(template) if template and Path(template).is_file() else None,
        max_loras=int(options.get("max_loras", 4)),
    )
    path = write_serve_task(folder, task)
    return path, plan_serving(path, options.get("gpu") or "L4", int(options.get("replicas") or 1))


def build(folder: Path, dep: Any, adapters: dict[str, str]) -> tuple[CloudEngine, dict[str, Any]]:
    """A CloudEngine for the deployment's current adapters (blocking: SkyPilot validates and plans)."""
    from vibeflow.cloud import skyserve
    from vibeflow.cloud.serve import service_name

    task_path, planned = prepare(folder, dep, adapters)
    key, _path = engine_key(folder)
    engine = CloudEngine(service_name(dep.name), task_path, folder / "skyserve.log", key, skyserve.DRIVER())
    return engine, planned


async def down(folder: Path, deployment: str) -> None:
    """`sky serve down` for a deployment whose engine is not attached (a service nobody follows still costs)."""
    from vibeflow.cloud import skyserve
    from vibeflow.cloud.serve import service_name

    driver = skyserve.DRIVER()
    name = service_name(deployment)
    if await asyncio.to_thread(driver.status, name) is not None:
        await asyncio.to_thread(driver.down, name, folder / "skyserve.log")
