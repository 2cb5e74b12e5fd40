"""HTTP routes for deployments and the gateway's management: deploy a run, list/get, start/stop, versions and
history, A/B split, rollback, usage, engine logs, test prompt, download package, and per-project API keys.

The ServingManager (engines + the OpenAI gateway on its own port) lives in this router's lifespan, nested in
the app's, so the store is open first and every engine is stopped when the backend shuts down.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from vibeflow.api.params import Int64, RowId
from vibeflow.errors import ConfigError, NotFoundError, VibeFlowError
from vibeflow.runs.logs import read_log_tail
from vibeflow.runs.service import RunService
from vibeflow.serving.keystore import key_view
from vibeflow.serving.manager import ServingManager
from vibeflow.serving.usage import usage_report
from vibeflow.serving.views import deployment_view, event_view, snippets
from vibeflow.store.models import Project


@asynccontextmanager
async def serving_lifespan(app: FastAPI) -> AsyncIterator[None]:
    manager = ServingManager(app.state.db, app.state.settings)
    await manager.open()
    app.state.serving = manager
    try:
        yield
    finally:
        await manager.close()


router = APIRouter(prefix="/api", tags=["deployments"], lifespan=serving_lifespan)


def _manager(request: Request) -> ServingManager:
    return request.app.state.serving


def _view(manager: ServingManager, dep: Any) -> dict[str, Any]:
    return deployment_view(dep, manager.host.url)


class DeployBody(BaseModel):
    """Deploy a completed run's adapter: a new deployment, or a new version of the one named `name`."""

    run: str = Field(description="run id or unique prefix")
    engine: str = Field(
        "auto",
        description="cpu, vllm, auto (vLLM when CUDA and vLLM are present) or cloud (vLLM on a SkyServe GPU)",
    )
    name: str | None = Field(
        None, description="served model name (default: the run's name); reuse it to add a version"
    )
    create_key: bool = Field(False, description="also mint an API key for the project (returned once)")
    cost_per_hour_usd: float | None = Field(
        None, ge=0, description="hourly price of the serving machine, for cost estimates"
    )
    chat_template: str | None = Field(
        None,
        description="advanced: serve with this chat template (text or path) instead of the trained one; "
        "the consistency check refuses it when it renders differently",
    )
    threads: Int64 | None = Field(None, ge=1, le=1024, description="CPU engine: torch threads")
    gpu: str | None = Field(None, description="cloud engine: GPU of each replica (default L4)")
    replicas: int | None = Field(None, ge=1, le=16, description="cloud engine: SkyServe replicas (default 1)")
    start_timeout_s: Int64 | None = Field(
        None,
        ge=10,
        le=86_400,
        description="how long the engine may take to become healthy (default 300 s, cloud 3600 s)",
    )


class SplitBody(BaseModel):
    """A/B: `weight_b` of the traffic goes to version `version_b`, the rest to `version_a` (default: current)."""

    version_b: Int64
    weight_b: float = Field(ge=0, le=1)
    version_a: Int64 | None = None


class TestBody(BaseModel):
    """A test prompt sent straight to the engine (no key, not metered)."""

    messages: list[dict[str, Any]] | None = None
    prompt: str | None = None
    max_tokens: int = Field(32, ge=1, le=4096)
    temperature: float = Field(0.0, ge=0, le=2)
    version: Int64 | None = Field(None, description="version number (default: the current one)")


class PackageBody(BaseModel):
    """Build the download package of a version (default: the current one)."""

    version: Int64 | None = None
    merged: bool = Field(False, description="also write merged full weights (needs the base model locally)")
    zip: bool = True


class KeyBody(BaseModel):
    """Create a key for a project, given by name/id or through one of its deployments."""

    project: str | None = None
    deployment: str | None = None
    name: str = "default"
    rate_limit_per_minute: Int64 | None = Field(None, ge=1, description="default 100")


@router.get("/serving/gateway", summary="Gateway address and state")
async def gateway(request: Request) -> dict[str, Any]:
    return _manager(request).host.view()


@router.get("/deployments", summary="List deployments")
async def list_deployments(request: Request) -> list[dict[str, Any]]:
    manager = _manager(request)
    return [_view(manager, dep) for dep in await manager.list()]


@router.post("/deployments", status_code=201, summary="Deploy a run (new deployment or new version)")
async def deploy(body: DeployBody, request: Request) -> dict[str, Any]:
    manager = _manager(request)
    async with request.app.state.db.session() as session:
        run = await RunService(session, request.app.state.settings).get(body.run)
    wanted = {
        "threads": body.threads,
        "gpu": body.gpu,
        "replicas": body.replicas,
        "start_timeout_s": body.start_timeout_s,
    }
    options = {name: value for name, value in wanted.items() if value}
    dep = await manager.deploy(
        run, body.engine, body.name, body.chat_template, body.cost_per_hour_usd, options
    )
    view = _view(manager, dep)
    key = None
    if body.create_key:
        row, key = await manager.keys.create(dep.project_id, f"{dep.name}-key")
        await manager.host.try_start()
        view["api_key"] = {"key": key, **key_view(row)}
    if view["endpoint"]:
        view["snippets"] = snippets(view["endpoint"], dep.name, key)
    return view


@router.get("/deployments/{ref}", summary="One deployment with versions, split and consistency verdict")
async def get_deployment(ref: str, request: Request) -> dict[str, Any]:
    manager = _manager(request)
    view = _view(manager, await manager.get(ref))
    if view["endpoint"]:
        view["snippets"] = snippets(view["endpoint"], view["name"], None)
    return view


@router.post("/deployments/{ref}/stop", summary="Stop the engine (the deployment and its history stay)")
async def stop(ref: str, request: Request) -> dict[str, Any]:
    manager = _manager(request)
    return _view(manager, await manager.stop(ref))


@router.post("/deployments/{ref}/start", summary="Start a stopped deployment's engine")
async def start(ref: str, request: Request) -> dict[str, Any]:
    manager = _manager(request)
    return _view(manager, await manager.start(ref))


@router.post("/deployments/{ref}/rollback", summary="Send all traffic back to the previously live version")
async def rollback(ref: str, request: Request) -> dict[str, Any]:
    manager = _manager(request)
    return _view(manager, await manager.rollback(ref))


@router.post("/deployments/{ref}/split", summary="A/B split between two versions by weight")
async def split(ref: str, body: SplitBody, request: Request) -> dict[str, Any]:
    manager = _manager(request)
    return _view(manager, await manager.set_split(ref, body.version_b, body.weight_b, body.version_a))


@router.get(
    "/deployments/{ref}/versions", summary="Versions and history (deploy, activate, rollback, split, …)"
)
async def versions(ref: str, request: Request) -> dict[str, Any]:
    manager = _manager(request)
    dep = await manager.get(ref)
    view = _view(manager, dep)
    return {"versions": view["versions"], "history": [event_view(e) for e in await manager.history(dep.id)]}


@router.get("/deployments/{ref}/usage", summary="Usage: requests, tokens, cost, latency p50/p95/p99, errors")
async def usage(ref: str, request: Request, days: int = Query(7, ge=1, le=366)) -> dict[str, Any]:
    manager = _manager(request)
    dep = await manager.get(ref)
    await manager.meter.flush()
    names = {v.id: f"v{v.number}" for v in dep.versions}
    async with request.app.state.db.session() as session:
        return await usage_report(session, dep.id, days, names)


@router.get("/deployments/{ref}/logs", summary="Tail of the engine log")
async def logs(ref: str, request: Request, tail: int = Query(200, ge=1, le=10000)) -> dict[str, Any]:
    from pathlib import Path

    dep = await _manager(request).get(ref)
    lines = read_log_tail(Path(dep.log_path), tail, include_events=True) if dep.log_path else []
    return {"path": dep.log_path, "lines": lines}


@router.post(
    "/deployments/{ref}/test", summary="Send a test prompt to the engine (bypasses keys and metering)"
)
async def test_prompt(ref: str, body: TestBody, request: Request) -> dict[str, Any]:
    import httpx

    manager = _manager(request)
    dep = await manager.get(ref)
    if dep.status != "live" or not dep.engine_url:
        raise VibeFlowError(f"deployment {dep.name} is {dep.status}", fix="start it first", http_status=409)
    number = body.version or next((v.number for v in dep.versions if v.id == dep.current_version_id), None)
    model = f"{dep.name}-v{number}"
    payload: dict[str, Any] = {"model": model, "max_tokens": body.max_tokens, "temperature": body.temperature}
    if body.messages:
        payload["messages"] = body.messages
        path = "/v1/chat/completions"
    elif body.prompt is not None:
        payload["prompt"] = body.prompt
        path = "/v1/completions"
    else:
        raise ConfigError(
            "send messages or prompt", fix='e.g. {"messages": [{"role": "user", "content": "Hi"}]}'
        )
    started = time.perf_counter()
    from vibeflow.serving.cloud_engine import engine_headers

    async with httpx.AsyncClient(timeout=300, headers=engine_headers(dep)) as client:
        answer = await client.post(f"{dep.engine_url}{path}", json=payload)
    result = answer.json()
    if answer.status_code != 200:
        raise VibeFlowError(
            str(result.get("error", result)), fix="check the request", http_status=answer.status_code
        )
    choice = result["choices"][0]
    text = choice["message"]["content"] if "message" in choice else choice["text"]
    return {
        "version": number,
        "text": text,
        "finish_reason": choice["finish_reason"],
        "usage": result.get("usage"),
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }


@router.post("/deployments/{ref}/package", summary="Build the download package (directory + zip)")
async def package(ref: str, body: PackageBody, request: Request) -> dict[str, Any]:
    from vibeflow.serving.package import build_package

    manager = _manager(request)
    dep = await manager.get(ref)
    number = body.version or next((v.number for v in dep.versions if v.id == dep.current_version_id), None)
    version = next((v for v in dep.versions if v.number == number), None)
    if version is None:
        raise NotFoundError(f"deployment {dep.name} has no version {number}", fix="see its versions")
    out = request.app.state.settings.home / "packages"
    return await build_package(dep, version, out, merged=body.merged, as_zip=body.zip)


async def _project_id(request: Request, project: str | None, deployment: str | None) -> int:
    if deployment:
        return (await _manager(request).get(deployment)).project_id
    async with request.app.state.db.session() as session:
        rows = list((await session.execute(select(Project).order_by(Project.id))).scalars())
    if project:
        found = [p for p in rows if p.name == project or str(p.id) == project]
        if not found:
            raise NotFoundError(
                f"no project {project!r}", fix=f"projects: {', '.join(p.name for p in rows) or 'none'}"
            )
        return found[0].id
    if len(rows) == 1:
        return rows[0].id
    raise ConfigError("which project is the key for?", fix="pass project (name) or deployment")


@router.get("/keys", summary="API keys (never the secrets)")
async def list_keys(
    request: Request, project: str | None = None, deployment: str | None = None
) -> list[dict[str, Any]]:
    manager = _manager(request)
    project_id = await _project_id(request, project, deployment) if (project or deployment) else None
    return [key_view(row) for row in await manager.keys.list(project_id)]


@router.post("/keys", status_code=201, summary="Create an API key; the secret is in the answer, once")
async def create_key(body: KeyBody, request: Request) -> dict[str, Any]:
    manager = _manager(request)
    project_id = await _project_id(request, body.project, body.deployment)
    row, secret = await manager.keys.create(project_id, body.name, body.rate_limit_per_minute)
    await manager.host.try_start()
    return {"key": secret, **key_view(row)}


@router.post("/keys/{key_id}/rotate", summary="Revoke a key and mint its replacement (secret shown once)")
async def rotate_key(key_id: RowId, request: Request) -> dict[str, Any]:
    row, secret = await _manager(request).keys.rotate(key_id)
    return {"key": secret, **key_view(row)}


@router.post("/keys/{key_id}/revoke", summary="Revoke a key at once")
async def revoke_key(key_id: RowId, request: Request) -> dict[str, Any]:
    manager = _manager(request)
    row = await manager.keys.revoke(key_id)
    manager.limiter.forget(key_id)
    return key_view(row)
