"""Stands in for SkyServe (no cloud is reachable from the build machines): it reads the task YAML VibeFlow
generated and runs its replica here as the CPU engine, which speaks the same OpenAI + vLLM protocol (`/health`,
`/v1/models`, `/tokenize`, `--api-key` on /v1 routes). The served names, adapter uploads and secrets come from
the YAML exactly as SkyPilot would hand them to the replica's `vllm serve` command."""

from __future__ import annotations

import asyncio
import json
import shlex
from pathlib import Path
from typing import Any

import yaml

from vibeflow.cloud.serve import ENGINE_KEY_ENV, REMOTE_ADAPTERS, REMOTE_BASE
from vibeflow.serving.engines import cpu_launch
from vibeflow.serving.process import EngineProcess, free_port


def replica_inputs(task: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(base model, {served name: local adapter dir}) as the replica's `vllm serve` line names them."""
    argv = shlex.split(task["run"].splitlines()[-1])
    assert argv[:2] == ["vllm", "serve"], argv
    modules = argv[argv.index("--lora-modules") + 1 :]
    modules = modules[: next((i for i, a in enumerate(modules) if a.startswith("--")), len(modules))]
    mounts = task["file_mounts"]
    adapters = {}
    for module in modules:
        served, remote = module.split("=", 1)
        assert remote.startswith(REMOTE_ADAPTERS), remote
        adapters[served] = mounts[remote]  # what SkyPilot uploads to that path
    base = mounts[argv[2]] if argv[2] == REMOTE_BASE else argv[2]
    return base, adapters


class LocalSkyServe:
    """The ServeDriver interface; `calls` records what VibeFlow asked SkyServe to do."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.services: dict[str, EngineProcess] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        self.ports: dict[str, int] = {}

    def _launch(self, task_path: Path, name: str, secrets: dict[str, str]) -> None:
        task = yaml.safe_load(task_path.read_text())
        assert task["secrets"] == {"HF_TOKEN": None, ENGINE_KEY_ENV: None}, "no secret value in the YAML"
        assert secrets[ENGINE_KEY_ENV] not in task_path.read_text()
        base, adapters = replica_inputs(task)
        folder = self.root / name / f"replica-{len(self.calls)}"
        launch = cpu_launch(folder, base, adapters, threads=1)
        launch.env[ENGINE_KEY_ENV] = secrets[ENGINE_KEY_ENV]
        # SkyServe's load balancer keeps one endpoint across updates: the replica reuses the service's port
        port = self.ports.setdefault(name, free_port())
        spec_path = Path(launch.argv[-1])
        spec_path.write_text(json.dumps({**json.loads(spec_path.read_text()), "port": port}))
        engine = EngineProcess(launch, folder / "replica.log")
        engine.start()
        asyncio.run(engine.wait_ready(300))
        self.services[name], self.tasks[name] = engine, task

    def up(self, task_path: Path, name: str, secrets: dict[str, str], log_path: Path) -> None:
        self.calls.append(("up", name))
        assert name not in self.services, "sky serve up of a name that exists fails"
        self._launch(task_path, name, secrets)

    def update(self, task_path: Path, name: str, secrets: dict[str, str], log_path: Path) -> None:
        self.calls.append(("update", name))
        asyncio.run(self.services.pop(name).stop())
        self._launch(task_path, name, secrets)

    def status(self, name: str) -> dict[str, Any] | None:
        engine = self.services.get(name)
        if engine is None:
            return None
        ready = engine.alive() and engine.url is not None
        return {
            "status": "READY" if ready else "FAILED",
            "endpoint": (engine.url or "").removeprefix("http://"),
        }

    def down(self, name: str, log_path: Path) -> None:
        self.calls.append(("down", name))
        engine = self.services.pop(name, None)
        if engine is not None:
            asyncio.run(engine.stop())

    def shutdown(self) -> None:
        for name in list(self.services):
            self.down(name, self.root / "down.log")
