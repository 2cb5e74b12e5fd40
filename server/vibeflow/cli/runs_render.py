"""Terminal rendering of runs: the list table, one run's card, the event log and retry diffs."""

from __future__ import annotations

import time
from typing import Any

ICONS = {"queued": "…", "running": "▶", "completed": "✔", "failed": "✖", "stopped": "■", "orphaned": "?"}
SEVERITY = {"error": "✖", "warning": "⚠", "info": "ℹ"}


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else (f"{minutes}m{secs:02d}s" if minutes else f"{secs}s")


def _num(value: float | None, fmt: str = ".4g") -> str:
    return "-" if value is None else format(value, fmt)


def render_list(runs: list[dict[str, Any]]) -> str:
    if not runs:
        return "No runs yet. Write a recipe with `vibeflow init`, then `vibeflow train`."
    lines = [f"{'id':<28} {'status':<11} {'stage':<13} {'step':>11} {'loss':>8} {'elapsed':>8}  name"]
    for run in runs:
        step = f"{run['step'] or 0}/{run['total_steps'] or '?'}" if run["step"] is not None else "-"
        lines.append(
            f"{run['id']:<28} {ICONS.get(run['status'], ' ')} {run['status']:<9} "
            f"{run['stage'] or '-':<13} {step:>11} {_num(run['loss']):>8} "
            f"{duration(run['elapsed_seconds']):>8}  {run['name']}"
        )
    return "\n".join(lines)


def render_diff(diff: list[dict[str, Any]]) -> list[str]:
    return [f"    {change['path']}: {change['before']!r} → {change['after']!r}" for change in diff]


def render_run(run: dict[str, Any], alerts: list[dict[str, Any]] | None = None) -> str:
    lines = [
        f"{ICONS.get(run['status'], ' ')} {run['id']}  {run['status']}"
        + (f" ({run['stage']})" if run["stage"] else ""),
        f"  recipe:   {run['name']} — {run['method']}, {run['preset']} preset, base {run['base_model']}",
    ]
    if run["parent_id"]:
        lines.append(f"  parent:   {run['parent_id']} ({run['relation']})")
    if run["step"] is not None:
        progress = f" ({run['progress']:.0%})" if run["progress"] is not None else ""
        lines.append(
            f"  progress: step {run['step']}/{run['total_steps'] or '?'}{progress}, epoch "
            f"{_num(run['epoch'], '.2f')}, loss {_num(run['loss'])}, eval loss {_num(run['eval_loss'])}"
        )
    if run["tokens_per_second"]:
        lines.append(
            f"  speed:    {run['tokens_per_second']:.0f} tokens/s"
            + (f", ETA {duration(run['eta_seconds'])}" if run["eta_seconds"] else "")
        )
    lines.append(f"  time:     {duration(run['elapsed_seconds'])} (attempts: {run['attempts']})")
    if run["checkpoint"]:
        lines.append(f"  checkpoint: step {run['checkpoint']['step']} at {run['checkpoint']['path']}")
    if run["adapter_path"]:
        lines.append(f"  adapter:  {run['adapter_path']}")
    lines.append(f"  output:   {run['output_dir']}")
    if run["error"]:
        lines.append(f"  error:    [{run['error'].get('type')}] {run['error'].get('message')}")
        if run["error"].get("fix"):
            lines.append(f"  fix:      {run['error']['fix']}")
    adjustments = run.get("adjustments") or {}
    if adjustments.get("diff") is not None:
        lines.append(f"  retry of {run['parent_id']}: {adjustments.get('reason')}")
        lines += render_diff(adjustments.get("effective_diff") or adjustments["diff"]) or ["    (no changes)"]
    for alert in alerts or []:
        lines.append(f"  {SEVERITY.get(alert.get('severity', 'warning'), '⚠')} {alert.get('message')}")
        if alert.get("fix"):
            lines.append(f"      fix: {alert['fix']}")
    if run["status"] in ("failed", "orphaned"):
        lines.append(f"  next:     vibeflow runs retry {run['id']}   (or: vibeflow runs resume {run['id']})")
    elif run["status"] == "stopped":
        lines.append(f"  next:     vibeflow runs resume {run['id']}")
    return "\n".join(lines)


def render_event(event: dict[str, Any]) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(event["ts"]))
    kind = event["type"]
    if kind == "metrics":
        parts = [f"step {event.get('step')}/{event.get('max_steps')}"]
        for key in ("loss", "eval_loss", "learning_rate", "grad_norm", "tokens_per_s"):
            if key in event and event[key] is not None:
                value = event[key]
                parts.append(f"{key} {value:.4g}" if isinstance(value, int | float) else f"{key} {value}")
        text = ", ".join(parts)
    elif kind == "stage":
        text = f"stage → {event.get('stage')}"
    elif kind == "status":
        text = f"status → {event.get('status')}: {event.get('message', '')}"
    elif kind == "checkpoint":
        text = f"checkpoint at step {event.get('step')}: {event.get('path')}"
    elif kind in ("alert", "error"):
        text = f"{event.get('kind') or event.get('error_type')}: {event.get('message')} — fix: {event.get('fix')}"
    elif kind == "gradients":
        flagged = event.get("flagged") or {}
        text = f"gradients at step {event.get('step')}" + (f", flagged {flagged}" if flagged else "")
    else:
        text = str({k: v for k, v in event.items() if k not in ("seq", "ts", "type", "source", "source_seq")})
    return f"[{stamp}] #{event['seq']:<5} {kind:<10} {text}"
