"""The dedicated SkyPilot virtual environment: where it lives, creating it (pinned, idempotent), running in it.

SkyPilot's dependencies conflict with transformers' (click), so it is never imported by the backend: it is
installed into its own venv (`$VIBEFLOW_SKY_VENV`, default `$VIBEFLOW_HOME/sky-venv`) and driven through its
CLI or through `sky_runner.py` executed with that venv's Python.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vibeflow.cloud.errors import CloudError

SKYPILOT_VERSION = "0.14.1"
ENV_VENV = "VIBEFLOW_SKY_VENV"
MARKER = "vibeflow-sky.json"
RUNNER = Path(__file__).with_name("sky_runner.py")
CATALOG_DIR = Path(__file__).with_name("catalog")
CATALOG_VERSION = "v8"  # SkyPilot 0.14's constants.CATALOG_SCHEMA_VERSION


def vibeflow_home() -> Path:
    return Path(os.environ.get("VIBEFLOW_HOME") or "~/.vibeflow").expanduser()


def venv_dir() -> Path:
    """$VIBEFLOW_SKY_VENV, else $VIBEFLOW_HOME/sky-venv."""
    override = os.environ.get(ENV_VENV)
    return Path(override).expanduser() if override else vibeflow_home() / "sky-venv"


def venv_python(venv: Path | None = None) -> Path:
    return (venv or venv_dir()) / "bin" / "python"


def sky_executable(venv: Path | None = None) -> Path:
    return (venv or venv_dir()) / "bin" / "sky"


@dataclass
class SkyEnv:
    """An installed SkyPilot venv."""

    path: Path
    version: str

    @property
    def python(self) -> Path:
        return venv_python(self.path)

    @property
    def sky(self) -> Path:
        return sky_executable(self.path)


def installed(venv: Path | None = None) -> SkyEnv | None:
    """The venv when it holds the pinned SkyPilot (checked through our marker), else None."""
    path = venv or venv_dir()
    try:
        marker = json.loads((path / MARKER).read_text())
    except (OSError, ValueError):
        return None
    if marker.get("skypilot") != SKYPILOT_VERSION or not venv_python(path).exists():
        return None
    return SkyEnv(path, marker["skypilot"])


def require() -> SkyEnv:
    env = installed()
    if env is None:
        raise CloudError(
            f"SkyPilot {SKYPILOT_VERSION} is not set up (looked in {venv_dir()})",
            fix="run `vibeflow cloud setup` (creates a separate virtual environment for SkyPilot; "
            "set VIBEFLOW_SKY_VENV to choose where)",
            kind="skypilot_missing",
        )
    return env


def _extras(path: Path) -> set[str]:
    try:
        return set(json.loads((path / MARKER).read_text()).get("extras", []))
    except (OSError, ValueError):
        return set()


def setup(
    venv: Path | None = None, *, extras: list[str] | None = None, log: Any = None
) -> tuple[SkyEnv, bool]:
    """Create the venv and install the pinned SkyPilot (+ cloud extras, e.g. aws, gcp, runpod); (env, created).

    A second call with no new extras does nothing.
    """
    path = venv or venv_dir()
    wanted = _extras(path) | set(extras or [])
    found = installed(path)
    if found is not None and wanted <= _extras(path):
        return found, False
    path.parent.mkdir(parents=True, exist_ok=True)
    steps = []
    if not venv_python(path).exists():
        steps.append([sys.executable, "-m", "venv", str(path)])
    steps.append(
        [str(venv_python(path)), "-m", "pip", "install", "--disable-pip-version-check", "-q",
         f"skypilot{'[' + ','.join(sorted(wanted)) + ']' if wanted else ''}=={SKYPILOT_VERSION}"]
    )  # fmt: skip
    for command in steps:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if log is not None:
            log(" ".join(command))
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
            raise CloudError(
                f"installing SkyPilot {SKYPILOT_VERSION} into {path} failed: " + " | ".join(tail),
                fix="check that PyPI is reachable (pip config / proxy), then run `vibeflow cloud setup` again",
                kind="setup_failed",
            )
    version = subprocess.run(
        [str(venv_python(path)), "-c", "import sky; print(sky.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if version != SKYPILOT_VERSION:
        raise CloudError(
            f"the SkyPilot venv at {path} reports version {version or 'none'}, expected {SKYPILOT_VERSION}",
            fix=f"remove {path} and run `vibeflow cloud setup` again",
            kind="setup_failed",
        )
    (path / MARKER).write_text(json.dumps({"skypilot": version, "extras": sorted(wanted)}))
    return SkyEnv(path, version), True


def sky_environ(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for SkyPilot subprocesses: no usage telemetry, our variables passed through."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["SKYPILOT_DISABLE_USAGE_COLLECTION"] = "1"
    env.update(extra or {})
    return env


def run_runner(
    command: str,
    payload: dict[str, Any],
    *,
    env: SkyEnv | None = None,
    extra_env: dict[str, str] | None = None,
    timeout: float = 300,
) -> dict[str, Any]:
    """Run `sky_runner.py COMMAND` in the SkyPilot venv with a JSON payload on stdin; its JSON answer."""
    env = env or require()
    try:
        result = subprocess.run(
            [str(env.python), str(RUNNER), command],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=sky_environ(extra_env),
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise CloudError(
            f"SkyPilot did not answer `{command}` within {timeout:.0f} s",
            fix="try again; if it persists, run the same with `sky` directly to see what it waits for",
            kind="timeout",
        ) from error
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise CloudError(
            f"SkyPilot runner `{command}` failed (exit {result.returncode}): "
            + " | ".join(result.stderr.strip().splitlines()[-4:]),
            fix="run `vibeflow cloud setup` again; if it persists, report the message above",
            kind="runner_failed",
        )
    answer = json.loads(lines[-1])
    if not answer.get("ok", False):
        raise CloudError(
            answer.get("message", "SkyPilot reported an error"),
            fix=answer.get("fix", ""),
            kind=answer.get("kind", "skypilot_error"),
            details={k: v for k, v in answer.items() if k not in ("ok", "message", "fix", "kind")},
        )
    return answer
