"""`vibeflow cloud plan`: SkyPilot's optimizer (dry run) picks cloud/region/instance; our estimator gives the hours.

Live mode uses the clouds `sky check` enabled and SkyPilot's own catalog. Offline mode (no credentials, no
network: tests, CI, a first look) points SkyPilot at the dated catalog copy shipped in `cloud/catalog/` and
marks the chosen clouds enabled the way SkyPilot's test suite does. Without any enabled cloud, the plan still
lists catalog prices and says how to enable a cloud.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path
from typing import Any

from vibeflow.cloud.distributed import node_layout
from vibeflow.cloud.env import CATALOG_DIR, CATALOG_VERSION, SkyEnv, require, run_runner, vibeflow_home
from vibeflow.cloud.errors import CloudError
from vibeflow.cloud.task import CloudSpec

CATALOG_AS_OF = "2026-12-06"  # when the shipped rows were copied (see catalog/SOURCE.md)
ENV_OFFLINE = "VIBEFLOW_SKY_OFFLINE_CLOUDS"
ENABLE_HINT = (
    "enable a cloud: install its credentials (e.g. `aws configure`, `gcloud auth application-default login`, "
    "RunPod: `runpod config`, Lambda: ~/.lambda_cloud/lambda_keys), then run `vibeflow cloud check`"
)


def offline_runtime(home: Path | None = None) -> Path:
    """A SkyPilot runtime dir holding only the shipped catalog (SkyPilot reads it as a manual catalog)."""
    root = (home or vibeflow_home()) / "sky-offline"
    target = root / ".sky" / "catalogs" / CATALOG_VERSION
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(CATALOG_DIR / CATALOG_VERSION, target)
    return root


def shipped_clouds() -> list[str]:
    """Clouds whose price rows the shipped catalog holds."""
    return sorted(p.parent.name for p in (CATALOG_DIR / CATALOG_VERSION).glob("*/vms.csv"))


def offline_clouds(explicit: list[str] | None = None) -> list[str] | None:
    if explicit:
        return explicit
    value = os.environ.get(ENV_OFFLINE, "").strip()
    return [c.strip() for c in value.split(",") if c.strip()] or None


def resources_config(want: CloudSpec, name: str = "vibeflow-plan") -> dict[str, Any]:
    nodes, per_node = node_layout(want.gpu_count)
    resources: dict[str, Any] = {"accelerators": f"{want.accelerator}:{per_node}", "use_spot": want.spot}
    if want.cloud:
        resources["infra"] = want.cloud + (f"/{want.region}" if want.region else "")
    elif want.region:
        resources["infra"] = f"*/{want.region}"
    return {"name": name, "num_nodes": nodes, "resources": resources, "run": "true"}


CLOUD_NAMES = {"lambda": "Lambda", "runpod": "RunPod", "aws": "AWS", "gcp": "GCP", "azure": "Azure"}


def catalog_prices(want: CloudSpec, clouds: list[str] | None = None) -> list[dict[str, Any]]:
    """Offers for the GPU in the shipped catalog copy (SkyPilot's vms.csv rows), cheapest first.

    Read directly (no SkyPilot process) so a plan that failed still lists prices at once. Like SkyPilot's
    `sky gpus list`, a name matches its larger variants too (A100 also lists A100-80GB).
    """
    _, per_node = node_layout(want.gpu_count)
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for table in sorted((CATALOG_DIR / CATALOG_VERSION).glob("*/vms.csv")):
        cloud = table.parent.name
        if clouds and cloud not in clouds:
            continue
        with table.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                name = row.get("AcceleratorName") or ""
                if (
                    want.accelerator.lower() not in name.lower()
                    or float(row["AcceleratorCount"] or 0) != per_node
                ):
                    continue
                raw = row.get("SpotPrice") if want.spot else row.get("Price")
                if not raw:
                    continue
                key = (cloud, row["InstanceType"])
                price = float(raw)
                if key not in best or price < best[key]["usd_per_hour"]:
                    best[key] = {
                        "accelerator": name,
                        "count": per_node,
                        "cloud": CLOUD_NAMES.get(cloud, cloud),
                        "region": row["Region"],
                        "instance_type": row["InstanceType"],
                        "usd_per_hour": price,
                        "tier": "spot" if want.spot else "on_demand",
                    }
    return sorted(best.values(), key=lambda o: (o["usd_per_hour"], o["cloud"], o["region"]))


def estimate_hours(recipe: Any, base_dir: Path, gpu: str) -> dict[str, Any] | None:
    """Training time from our estimator on this GPU (None when the data size cannot be read)."""
    from vibeflow.errors import VibeFlowError
    from vibeflow.recommend.recipe_adapter import estimate_recipe

    try:
        estimate = estimate_recipe(recipe, base_dir=base_dir, device=gpu, overrides={"target": "cloud"})
    except VibeFlowError as error:
        return {"hours": None, "note": f"no time estimate: {error.message}"}
    return {"hours": estimate.time.seconds / 3600, "human": estimate.time.human, "basis": estimate.time.basis}


OFFLINE_SOURCE = f"SkyPilot catalog {CATALOG_VERSION}, offline copy as of {CATALOG_AS_OF}"


def price_source(clouds: list[str] | None) -> str:
    return OFFLINE_SOURCE if clouds else "SkyPilot's live catalog"


def run_optimizer(payload: dict[str, Any], clouds: list[str] | None, env: SkyEnv) -> dict[str, Any]:
    """The runner's `plan` (validation + optimizer); with offline clouds, against the shipped catalog copy."""
    extra: dict[str, str] = {}
    if clouds:
        payload = {**payload, "offline": True, "enabled": clouds}
        extra["SKY_RUNTIME_DIR"] = str(offline_runtime())
    return run_runner("plan", payload, env=env, extra_env=extra)


def plan_fault(error: CloudError, clouds: list[str] | None) -> dict[str, Any]:
    """The classified fault of a failed plan; without offline clouds, most failures mean none is enabled."""
    from vibeflow.cloud.faults import classify

    fault = classify(error.message)
    if not clouds and fault["fault"] in ("no_clouds", "unknown", "no_capacity", "credentials"):
        fault = {
            **fault,
            "fault": "no_clouds",
            "message": "no cloud is enabled for SkyPilot",
            "fix": ENABLE_HINT,
        }
    return fault


def plan(
    recipe: Any,
    base_dir: Path,
    *,
    offline: list[str] | None = None,
    env: SkyEnv | None = None,
    validate_yaml: Path | None = None,
) -> dict[str, Any]:
    """The plan: chosen offer, $/hour, hours, total; or, without enabled clouds, catalog prices and a hint."""
    env = env or require()
    recipe_dict = recipe.model_dump(mode="json") if hasattr(recipe, "model_dump") else dict(recipe)
    want = CloudSpec.from_recipe(recipe_dict)
    clouds = offline_clouds(offline)
    time = estimate_hours(recipe, base_dir, want.gpu)
    payload: dict[str, Any] = {"config": resources_config(want)}
    if validate_yaml is not None:
        payload["validate_yaml"] = str(validate_yaml)
    result: dict[str, Any] = {
        "gpu": want.gpu,
        "accelerator": want.accelerator,
        "gpu_count": want.gpu_count,
        "spot": want.spot,
        "mode": "offline" if clouds else "live",
        "enabled_clouds": clouds,
        "time": time,
        "price_source": price_source(clouds),
    }
    try:
        answer = run_optimizer(payload, clouds, env)
    except CloudError as error:
        if error.kind == "invalid_task":
            raise
        result.update(ok=False, fault=plan_fault(error, clouds), detail=error.message)
        result["alternatives"] = catalog_prices(want)
        result["price_source"] = OFFLINE_SOURCE
        return result
    chosen = answer["chosen"]
    result["validated"] = answer.get("validated")
    hours = (time or {}).get("hours")
    result.update(
        ok=True,
        chosen=chosen,
        usd_per_hour=chosen["usd_per_hour"],
        estimated_total_usd=round(chosen["usd_per_hour"] * hours, 2) if hours else None,
    )
    if (
        want.max_cost_usd
        and result["estimated_total_usd"]
        and result["estimated_total_usd"] > want.max_cost_usd
    ):
        result["warnings"] = [
            f"estimated ${result['estimated_total_usd']:,.2f} exceeds budget.max_cost_usd ${want.max_cost_usd:,.2f}"
        ]
    return result


def render(result: dict[str, Any]) -> str:
    lines = [f"{result['gpu_count']}× {result['gpu']} ({'spot' if result['spot'] else 'on-demand'})"]
    time = result.get("time") or {}
    if result.get("ok"):
        c = result["chosen"]
        lines.append(
            f"  chosen: {c['cloud']} {c['region']} {c['instance_type']} — ${c['usd_per_hour']:.2f}/hour"
        )
        if time.get("hours"):
            lines.append(f"  time:   {time['human']} (our estimator, {time['basis']})")
            lines.append(f"  total:  ${result['estimated_total_usd']:.2f}")
        elif time.get("note"):
            lines.append(f"  time:   {time['note']}")
    else:
        fault = result["fault"]
        lines += [f"  {fault['message']}", f"  fix: {fault['fix']}", "  catalog prices:"]
        hours = time.get("hours")
        for offer in result.get("alternatives", [])[:8]:
            total = f", ≈ ${offer['usd_per_hour'] * hours:.2f} total" if hours else ""
            lines.append(
                f"    {offer['count']:g}× {offer['accelerator']:<10} {offer['cloud']:<8} {offer['region']:<18} "
                f"{offer['instance_type']:<22} "
                f"${offer['usd_per_hour']:.2f}/h{total}"
            )
    lines.append(f"  prices: {result['price_source']}")
    for warning in result.get("warnings", []):
        lines.append(f"  ⚠ {warning}")
    return "\n".join(lines)


def plan_serving(task_path: Path, gpu: str, replicas: int, *, env: SkyEnv | None = None) -> dict[str, Any]:
    """Validate a SkyServe task and price its replicas (on-demand, one GPU each) with SkyPilot's optimizer.

    Returns {chosen, usd_per_hour (all replicas), price_source}; raises CloudError with a fix (and the catalog's
    offers for the GPU) when no enabled cloud can serve it.
    """
    env = env or require()
    want = CloudSpec(gpu=gpu, spot=False)
    clouds = offline_clouds(None)
    payload: dict[str, Any] = {
        "config": resources_config(want, "vibeflow-serve-plan"),
        "validate_yaml": str(task_path),
    }
    try:
        answer = run_optimizer(payload, clouds, env)
    except CloudError as error:
        if error.kind == "invalid_task":
            raise
        offers = catalog_prices(want)[:5]
        listed = "; ".join(f"{o['cloud']} {o['instance_type']} ${o['usd_per_hour']:.2f}/h" for o in offers)
        fault = plan_fault(error, clouds)
        raise CloudError(
            fault["message"],
            fix=fault["fix"] + (f" (catalog offers for {gpu}: {listed})" if listed else ""),
            kind=fault["fault"],
            details={"alternatives": offers, "detail": error.message},
        ) from error
    chosen = answer["chosen"]
    return {
        "chosen": chosen,
        "replicas": replicas,
        "usd_per_hour": round(chosen["usd_per_hour"] * replicas, 4),
        "price_source": price_source(clouds),
        "validated": answer.get("validated"),
    }
