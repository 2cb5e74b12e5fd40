"""`vibeflow cloud check`: which clouds SkyPilot can use here (its own credential checks) and how to enable more."""

from __future__ import annotations

import re
from typing import Any

from vibeflow.cloud.env import require, run_runner
from vibeflow.cloud.plan import ENABLE_HINT

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ENABLED_LINE = re.compile(r"^  (\S+) \[[a-z, ]+\]")


def parse_sky_check(text: str) -> list[str]:
    """Enabled clouds from `sky check` output: the `  NAME [capabilities]` lines under "Enabled infra"."""
    enabled, inside = [], False
    for raw in text.splitlines():
        line = ANSI.sub("", raw)
        if "Enabled infra" in line:
            inside = True
            continue
        if inside:
            if not line.strip() or line.startswith(("To enable", "If any", "Using SkyPilot", "Note:")):
                break
            match = ENABLED_LINE.match(line)
            if match:
                enabled.append(match.group(1))
    return enabled


def check_clouds(clouds: list[str] | None = None, *, sky_cli: bool = False) -> dict[str, Any]:
    """Runs each cloud's credential check in the SkyPilot venv and records the result as `sky check` does.

    With `sky_cli`, the real `sky check` runs instead (through SkyPilot's local API server, which VibeFlow
    stops again by process id with `vibeflow cloud stop-server` or at shutdown).
    """
    env = require()
    if sky_cli:
        from vibeflow.cloud.skycli import run_sky

        result = run_sky(["check", *(clouds or [])], env=env, timeout=600)
        text = result.stdout + result.stderr
        enabled = parse_sky_check(text)
        return {"skypilot": env.version, "venv": str(env.path), "enabled": enabled, "clouds": [],
                "output": text, "hint": "" if enabled else ENABLE_HINT}  # fmt: skip
    answer = run_runner("check", {"clouds": clouds}, env=env, timeout=600)
    return {
        "skypilot": env.version,
        "venv": str(env.path),
        "enabled": answer["enabled"],
        "clouds": answer["clouds"],
        "hint": "" if answer["enabled"] else ENABLE_HINT,
    }


def render_check(result: dict[str, Any]) -> str:
    lines = [f"SkyPilot {result['skypilot']} ({result['venv']})"]
    if result.get("output"):
        lines.append(result["output"].rstrip())
    for cloud in result["clouds"]:
        mark = "enabled" if cloud["enabled"] else "disabled"
        lines.append(f"  {cloud['cloud']:<12} {mark}")
        if not cloud["enabled"] and cloud["reason"]:
            lines.append("      " + " ".join(cloud["reason"].split())[:300])
    lines.append(f"enabled: {', '.join(result['enabled']) or 'none'}")
    if result["hint"]:
        lines.append(result["hint"])
    return "\n".join(lines)
