"""Runs inside the SkyPilot venv (never imported by the backend): validates tasks, plans, checks clouds, lists prices.

Usage: `<sky-venv>/bin/python sky_runner.py COMMAND < payload.json`; prints one JSON line
(`{"ok": true, ...}` or `{"ok": false, "kind", "message", "fix"}`). Only the standard library and `sky` are
imported here. With `"offline": true` the enabled clouds are monkeypatched exactly the way SkyPilot's own test
suite does it (tests/common_test_fixtures.py: `sky.check.get_cached_enabled_clouds_or_refresh` and
`sky.check.check_capability`), and the catalog is read from `SKY_RUNTIME_DIR/.sky/catalogs/`.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback
from typing import Any

CHECKED_CLOUDS = (
    "aws",
    "gcp",
    "azure",
    "kubernetes",
    "lambda",
    "runpod",
    "nebius",
    "vast",
    "oci",
    "fluidstack",
)


def _quiet() -> contextlib.AbstractContextManager[Any]:
    return contextlib.redirect_stdout(io.StringIO())


def _clouds(names: list[str]) -> list[Any]:
    from sky.utils import registry

    return [registry.CLOUD_REGISTRY.from_str(name) for name in names]


def _offline(names: list[str]) -> None:
    """Mark `names` enabled like SkyPilot's tests do (no credentials, no network)."""
    import sky.check

    enabled = _clouds(names)
    sky.check.get_cached_enabled_clouds_or_refresh = lambda *_a, **_k: enabled
    sky.check.check_capability = lambda *_a, **_k: None
    for cloud in enabled:
        if hasattr(cloud, "check_quota_available"):
            cloud.check_quota_available = lambda *_a, **_k: True


def _task(payload: dict[str, Any]) -> Any:
    import sky

    if "yaml_path" in payload:
        return sky.Task.from_yaml(payload["yaml_path"])
    return sky.Task.from_yaml_config(payload["config"])


def _resources(res: Any) -> dict[str, Any]:
    return {
        "cloud": str(res.cloud) if res.cloud else None,
        "region": res.region,
        "zone": res.zone,
        "instance_type": res.instance_type,
        "accelerators": res.accelerators,
        "use_spot": bool(res.use_spot),
        "disk_size": res.disk_size,
    }


def cmd_validate(payload: dict[str, Any]) -> dict[str, Any]:
    task = _task(payload)
    service = getattr(task, "service", None)
    return {
        "ok": True,
        "name": task.name,
        "num_nodes": task.num_nodes,
        "resources": [_resources(r) for r in task.resources],
        "envs": sorted(task.envs),
        "secrets": sorted(getattr(task, "secrets", {}) or {}),
        "file_mounts": sorted(task.file_mounts or {}),
        "storage_mounts": sorted(task.storage_mounts or {}),
        "setup": task.setup,
        "run": task.run,
        "service": None
        if service is None
        else {"replicas": service.min_replicas, "ports": task.service.ports},
    }


def cmd_plan(payload: dict[str, Any]) -> dict[str, Any]:
    import sky
    from sky import exceptions, optimizer

    validated = None
    if payload.get("validate_yaml"):  # the full task first (one SkyPilot start for both)
        try:
            validated = cmd_validate({"yaml_path": payload["validate_yaml"]})
        except Exception as error:  # noqa: BLE001 - reported as an invalid task
            return {
                "ok": False,
                "kind": "invalid_task",
                "message": f"{type(error).__name__}: {error}",
                "fix": "",
            }
    if payload.get("offline"):
        _offline(payload.get("enabled") or [])
    task = _task(payload)
    if payload.get("strip_mounts"):  # storage mounts need bucket access; they do not change the price
        task.storage_mounts = {}
        task.file_mounts = None
    dag = sky.Dag()
    dag.add(task)
    try:
        with _quiet():
            optimizer.Optimizer.optimize(dag, quiet=True)  # minimises cost by default
    except exceptions.ResourcesUnavailableError as error:
        return {
            "ok": False,
            "kind": "no_resources",
            "message": str(error).strip(),
            "fix": "",
            "validated": validated,
        }
    best = task.best_resources
    hourly = best.get_cost(3600) * task.num_nodes
    return {
        "ok": True,
        "chosen": {**_resources(best), "usd_per_hour": round(hourly, 4), "num_nodes": task.num_nodes},
        "validated": validated,
    }


def cmd_prices(payload: dict[str, Any]) -> dict[str, Any]:
    from sky import catalog

    found = catalog.list_accelerators(
        gpus_only=True,
        name_filter=payload["accelerator"],
        quantity_filter=payload.get("count"),
        clouds=payload.get("clouds"),
        case_sensitive=False,
        all_regions=True,
    )
    rows = []
    for name, infos in found.items():
        for info in infos:
            rows.append(
                {
                    "accelerator": name,
                    "count": info.accelerator_count,
                    "cloud": info.cloud,
                    "region": info.region,
                    "instance_type": info.instance_type,
                    "usd_per_hour": None if info.price != info.price else info.price,
                    "spot_usd_per_hour": None if info.spot_price != info.spot_price else info.spot_price,
                }
            )
    return {"ok": True, "offers": rows}


def cmd_check(payload: dict[str, Any]) -> dict[str, Any]:
    import sky.check
    from sky.clouds import cloud as sky_cloud

    names = payload.get("clouds") or list(CHECKED_CLOUDS)
    report = []
    for cloud in _clouds(names):
        try:
            with _quiet():
                ok, reason = cloud.check_credentials(sky_cloud.CloudCapability.COMPUTE)
        except Exception as error:  # noqa: BLE001 - a broken cloud SDK is one cloud's problem
            ok, reason = False, f"{type(error).__name__}: {error}"
        if isinstance(reason, dict):
            reason = "; ".join(f"{k}: {v}" for k, v in reason.items())
        report.append({"cloud": str(cloud), "enabled": bool(ok), "reason": reason or ""})
    if payload.get("refresh", True):
        with _quiet():  # records the result where the optimizer looks (what `sky check` does)
            sky.check.check_capability(sky_cloud.CloudCapability.COMPUTE, quiet=True, clouds=names)
    return {"ok": True, "clouds": report, "enabled": [r["cloud"] for r in report if r["enabled"]]}


def cmd_serve_status(payload: dict[str, Any]) -> dict[str, Any]:
    """One SkyServe service's status and endpoint (None when no such service exists)."""
    import sky
    from sky import serve

    with _quiet():
        records = sky.get(serve.status([payload["name"]]))
    for record in records or []:
        status = record.get("status")
        return {
            "service": {
                "status": getattr(status, "value", str(status)),
                "endpoint": record.get("endpoint"),
                "replicas": len(record.get("replica_info") or []),
            }
        }
    return {"service": None}


COMMANDS = {
    "validate": cmd_validate,
    "plan": cmd_plan,
    "prices": cmd_prices,
    "check": cmd_check,
    "serve_status": cmd_serve_status,
}


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command not in COMMANDS:
        print(
            json.dumps({"ok": False, "kind": "usage", "message": f"unknown command {command!r}", "fix": ""})
        )
        return 2
    try:
        answer = COMMANDS[command](json.loads(sys.stdin.read() or "{}"))
    except Exception as error:  # noqa: BLE001 - every failure becomes one JSON answer
        answer = {
            "ok": False,
            "kind": "invalid_task" if command == "validate" else "skypilot_error",
            "message": f"{type(error).__name__}: {str(error).strip()}",
            "fix": "",
            "trace": traceback.format_exc(limit=3),
        }
    print(json.dumps(answer, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
