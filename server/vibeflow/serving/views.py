"""JSON shapes of deployments, versions and history for the API, the CLI and the VS Code Deployments view."""

from __future__ import annotations

import json
import shlex
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
    """Copy-paste calls of the endpoint. With the key (just created) it is inlined; otherwise the shell expands
    $VIBEFLOW_API_KEY (double quotes: single quotes would send the literal text) and Python reads the variable."""
    bearer = key or "$VIBEFLOW_API_KEY"
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Hello!"}]})
    curl = (
        f'curl {shlex.quote(base_url + "/chat/completions")} -H "Authorization: Bearer {bearer}" '
        f"-H 'Content-Type: application/json' -d {shlex.quote(body)}"
    )
    api_key = json.dumps(key) if key else 'os.environ["VIBEFLOW_API_KEY"]'
    python = (
        ("" if key else "import os\n\n")
        + "from openai import OpenAI\n\n"
        + f"client = OpenAI(base_url={json.dumps(base_url)}, api_key={api_key})\n"
        + f'reply = client.chat.completions.create(model={json.dumps(model)}, messages=[{{"role": "user", "content": "Hello!"}}])\n'
        + "print(reply.choices[0].message.content)\n"
    )
    return {"curl": curl, "python": python}
