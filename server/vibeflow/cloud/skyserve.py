"""Drives SkyServe for cloud deployments: `sky serve up/update/down` through the CLI and the service's status
(with its endpoint) through SkyPilot's SDK in its own venv. Tests replace `DRIVER` with a stand-in that runs a
local engine speaking the same OpenAI/vLLM protocol, since no cloud is reachable from the build machines."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from vibeflow.cloud.errors import CloudError
from vibeflow.cloud.faults import classify


class ServeDriver(Protocol):
    """The SkyServe calls a cloud deployment needs."""

    def up(self, task_path: Path, name: str, secrets: dict[str, str], log_path: Path) -> None: ...
    def update(self, task_path: Path, name: str, secrets: dict[str, str], log_path: Path) -> None: ...
    def status(self, name: str) -> dict[str, Any] | None: ...  # {"status": "READY", "endpoint": "host:port"}
    def down(self, name: str, log_path: Path) -> None: ...


def _raise_for(result: Any, what: str) -> None:
    if result.returncode == 0:
        return
    text = (result.stdout or "") + (result.stderr or "")
    fault = classify(text)
    raise CloudError(
        f"`sky serve {what}` failed: {fault['message']}",
        fix=fault["fix"],
        kind=fault["fault"],
        details={"detail": fault["detail"]},
    )


class CliServeDriver:
    """The real SkyServe, in the SkyPilot venv. Secret values travel in the child's environment, never argv."""

    def _sky(self, args: list[str], secrets: dict[str, str], log_path: Path, timeout: float) -> Any:
        from vibeflow.cloud.skycli import run_sky

        for secret in secrets:
            args += ["--secret", secret]  # SkyPilot reads the value from its environment
        result = run_sky(args, timeout=timeout, extra_env=secrets)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("a", encoding="utf-8") as log:
            log.write(f"$ sky {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        return result

    def up(self, task_path: Path, name: str, secrets: dict[str, str], log_path: Path) -> None:
        result = self._sky(["serve", "up", "-y", "-n", name, str(task_path)], secrets, log_path, 3600)
        _raise_for(result, "up")

    def update(self, task_path: Path, name: str, secrets: dict[str, str], log_path: Path) -> None:
        args = ["serve", "update", "-y", "--mode", "blue_green", name, str(task_path)]
        _raise_for(self._sky(args, secrets, log_path, 3600), "update")

    def status(self, name: str) -> dict[str, Any] | None:
        from vibeflow.cloud.env import run_runner

        answer = run_runner("serve_status", {"name": name}, timeout=300)
        return answer.get("service")

    def down(self, name: str, log_path: Path) -> None:
        _raise_for(self._sky(["serve", "down", "-y", name], {}, log_path, 1800), "down")


DRIVER: Any = CliServeDriver  # tests replace it (see the module docstring)
