"""JSON shapes of deployments, versions and history for the API, the CLI and the VS Code Deployments view."""

from __future__ import annotations

from typing import Any

from vibeflow.serving.routing import served_name


def version_view(dep: Any, version: Any) -> dict[str, Any]:
    weight = next((float(i["weight"]) for i in dep.split or [] if i["version_id"] == version.id), 0.0)
    return {
        "id": version.id,
        "number": version.number,
        "served_name": served_name(dep.name, version.number),
        "run_id": version.run_id,
        "adapter_path": version.adapter_path,
        "created_at": version.created_at,
        "current": version.id == dep.current_version_id,
        "weight": weight,
    }


def deployment_view(dep: Any, gateway_url: str | None) -> dict[str, Any]:
    versions = [version_view(dep, v) for v in dep.versions]
    current = next((v for v in versions if v["current"]), None)
    base_url = f"{gateway_url}/v1" if gateway_url else None
    return {
        "id": dep.id,
        "name": dep.name,
        "model": dep.name,
        "project_id": dep.project_id,
        "engine": dep.engine,
        "base_model": dep.base_model,
        "status": dep.status,
        "desired": dep.desired,
        "message": dep.message,
        "endpoint": base_url,
        "current_version": current,
        "split": [v for v in versions if v["weight"] > 0],
        "versions": versions,
        "restarts": dep.restarts,
        "engine_pid": dep.engine_pid,
        "engine_url": dep.engine_url,
        "log_path": dep.log_path,
        "consistency": dep.consistency,
        "options": dep.options,
        "cost_per_hour_usd": dep.cost_per_hour_usd,
        "created_at": dep.created_at,
        "updated_at": dep.updated_at,
    }


def event_view(event: Any) -> dict[str, Any]:
    return {"id": event.id, "ts": event.ts, "kind": event.kind, "detail": event.detail}


def snippets(base_url: str, model: str, key: str | None) -> dict[str, str]:
    shown = key or "$VIBEFLOW_API_KEY"
    curl = (
        f"curl {base_url}/chat/completions -H 'Authorization: Bearer {shown}' -H 'Content-Type: application/json' "
        f'-d \'{{"model": "{model}", "messages": [{{"role": "user", "content": "Hello!"}}]}}\''
    )
    python = (
        "from openai import OpenAI\n\n"
        f'client = OpenAI(base_url="{base_url}", api_key="{shown}")\n'
        f'reply = client.chat.completions.create(model="{model}", messages=[{{"role": "user", "content": "Hello!"}}])\n'
        "print(reply.choices[0].message.content)\n"
    )
    return {"curl": curl, "python": python}
