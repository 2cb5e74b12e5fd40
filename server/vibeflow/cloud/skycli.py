"""Runs the `sky` CLI of the SkyPilot venv and stops, by process id, the local API server such a call starts.

Since SkyPilot 0.10 every CLI call talks to an API server and starts a local one when none runs. The server
does not record its pid, so we note the `sky.server.server` processes that appear during our calls (their
process-group ids, in $VIBEFLOW_HOME/sky-api-servers.json) and stop exactly those groups at shutdown.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from vibeflow.cloud.env import SkyEnv, require, sky_environ, vibeflow_home

SERVER_MARK = b"sky.server.server"


def _state_path() -> Path:
    return vibeflow_home() / "sky-api-servers.json"


def api_server_pids() -> set[int]:
    found = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if SERVER_MARK in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def _remember(pids: set[int]) -> None:
    path = _state_path()
    known = set(json.loads(path.read_text())) if path.exists() else set()
    groups = set()
    for pid in pids:
        try:
            groups.add(os.getpgid(pid))
        except ProcessLookupError:
            continue
    if not groups:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sorted(known | groups)))
    atexit.register(stop_api_servers)  # this process started it: stop it when this process ends


def run_sky(
    args: list[str],
    *,
    env: SkyEnv | None = None,
    timeout: float = 600,
    check: bool = False,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`sky ARGS` (captured); a local API server it starts is remembered for `stop_api_servers`."""
    env = env or require()
    before = api_server_pids()
    try:
        return subprocess.run(
            [str(env.sky), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=sky_environ({"NO_COLOR": "1", **(extra_env or {})}),
            check=check,
        )
    finally:
        _remember(api_server_pids() - before)


def popen_sky(
    args: list[str], *, env: SkyEnv | None = None, stdout: int | None = None
) -> subprocess.Popen[str]:
    """A long-running `sky` call (log following), streaming stdout as text."""
    env = env or require()
    return subprocess.Popen(
        [str(env.sky), *args],
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=sky_environ({"NO_COLOR": "1"}),
    )


def stop_api_servers(grace_s: float = 10.0) -> list[int]:
    """SIGTERM (then SIGKILL) the process groups of API servers our calls started; returns those stopped."""
    path = _state_path()
    if not path.exists():
        return []
    stopped = []
    for group in json.loads(path.read_text()):
        if not _group_is_skypilot(group):
            continue
        os.killpg(group, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _group_alive(group):
            os.killpg(group, signal.SIGKILL)
        stopped.append(group)
    path.unlink(missing_ok=True)
    return stopped


def _group_members(group: int) -> list[Path]:
    members = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(stat[2]) == group and stat[0] not in ("Z", "X"):
            members.append(entry)
    return members


def _group_alive(group: int) -> bool:
    return bool(_group_members(group))


def _group_is_skypilot(group: int) -> bool:
    """Only a group that still runs SkyPilot code is ours to stop (pids get reused)."""
    for entry in _group_members(group):
        try:
            cmdline = (entry / "cmdline").read_bytes()
            comm = (entry / "comm").read_bytes()
        except OSError:
            continue
        if (
            SERVER_MARK in cmdline
            or b"SkyPilot" in cmdline
            or b"sky" in comm
            or b"resource_tracker" in cmdline
        ):
            return True
    return False
