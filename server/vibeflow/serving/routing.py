"""The gateway's in-memory routing table: per served model name, its deployment, status, engine URL and A/B
arms; rebuilt from the store whenever a deployment changes, read on every request without touching the DB."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vibeflow.serving.cloud_engine import engine_headers


@dataclass(frozen=True)
class Arm:
    """One traffic arm: the engine-side model name of a version and its weight."""

    served_name: str
    version_id: int
    weight: float


@dataclass
class Route:
    """Everything the gateway needs about one deployment."""

    id: str
    name: str
    project_id: int
    status: str
    engine_url: str | None
    arms: list[Arm] = field(default_factory=list)
    message: str | None = None
    cost_per_hour_usd: float = 0.0
    created: int = 0
    upstream_headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})


def served_name(deployment_name: str, number: int) -> str:
    return f"{deployment_name}-v{number}"


def route_of(dep: Any) -> Route:
    """Build the route of a Deployment row whose versions are loaded."""
    by_id = {v.id: v for v in dep.versions}
    arms = [
        Arm(
            served_name(dep.name, by_id[item["version_id"]].number), item["version_id"], float(item["weight"])
        )
        for item in dep.split or []
        if item["version_id"] in by_id and float(item["weight"]) > 0
    ]
    return Route(
        id=dep.id,
        name=dep.name,
        project_id=dep.project_id,
        status=dep.status,
        engine_url=dep.engine_url,
        arms=arms,
        message=dep.message,
        cost_per_hour_usd=dep.cost_per_hour_usd or 0.0,
        created=int(dep.created_at.timestamp()) if dep.created_at else 0,
        upstream_headers={"content-type": "application/json", **engine_headers(dep)},
    )
