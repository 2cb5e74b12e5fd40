"""ServingManager: owns the gateway server and the engine processes of every deployment inside the backend's
asyncio loop; deploys runs as versions (after the consistency check), splits traffic, rolls back, stops and
starts, and restarts engines that die (the watchdog), keeping the store and the routing table in step."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vibeflow.errors import ConfigError, NotFoundError, VibeFlowError
from vibeflow.serving import cloud_engine, engines
from vibeflow.serving.consistency import refusal, run_check
from vibeflow.serving.gateway_host import GatewayHost
from vibeflow.serving.keystore import KeyStore
from vibeflow.serving.limits import RateLimiter
from vibeflow.serving.process import EngineProcess, kill_stale
from vibeflow.serving.routing import Route, route_of, served_name
from vibeflow.serving.runs_link import adapter_dir, base_of, engine_port, slug
from vibeflow.serving.traffic import TrafficMixin
from vibeflow.serving.usage import Meter
from vibeflow.store.models_serving import Deployment, DeploymentEvent, DeploymentVersion

log = logging.getLogger(__name__)
MAX_RESTARTS = 5


class ServingManager(TrafficMixin):
    """One per backend process (created in the serving router's lifespan)."""

    def __init__(self, db: Any, settings: Any) -> None:
        self.db = db
        self.settings = settings
        self.keys = KeyStore(db)
        self.limiter = RateLimiter()
        self.meter = Meter(db)
        self.routes: dict[str, Route] = {}
        self.engines: dict[str, Any] = {}  # EngineProcess, or CloudEngine for engine "cloud"
        self.locks: dict[str, asyncio.Lock] = {}
        self.recovering: set[str] = set()
        self.host = GatewayHost(self)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watchdog: asyncio.Task[None] | None = None
        self.hardware: engines.Hardware | None = None

    # -- lifecycle --------------------------------------------------------------------------------------
    async def open(self) -> None:
        self.meter.start()
        await self.host.try_start()
        async with self.db.session() as session:
            deps = list((await session.execute(_deps_query())).scalars())
        for dep in deps:
            if dep.desired == "running" and dep.split:
                kill_stale(dep.engine_pid)
                self._spawn(self._restore(dep.id))
            else:
                self.routes[dep.name] = route_of(dep)
        self._watchdog = asyncio.create_task(self._watch())

    async def close(self) -> None:
        if self._watchdog:
            self._watchdog.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        local = [engine for engine in self.engines.values() if not getattr(engine, "persistent", False)]
        await asyncio.gather(*(engine.stop() for engine in local), return_exceptions=True)
        await self.host.stop()
        await self.meter.close()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def lock(self, dep_id: str) -> asyncio.Lock:
        return self.locks.setdefault(dep_id, asyncio.Lock())

    # -- store helpers ----------------------------------------------------------------------------------
    async def get(self, ref: str) -> Deployment:
        async with self.db.session() as session:
            dep = (
                await session.execute(_deps_query().where((Deployment.id == ref) | (Deployment.name == ref)))
            ).scalar_one_or_none()
            if dep is None:
                dep = (
                    (await session.execute(_deps_query().where(Deployment.id.startswith(ref))))
                    .scalars()
                    .first()
                )
        if dep is None:
            raise NotFoundError(
                f"no deployment {ref!r}", fix="list deployments with `vibeflow deployments list`"
            )
        return dep

    async def list(self) -> list[Deployment]:
        async with self.db.session() as session:
            return list(
                (await session.execute(_deps_query().order_by(Deployment.created_at.desc()))).scalars()
            )

    async def _update(
        self, dep_id: str, event: str | None = None, detail: dict[str, Any] | None = None, **fields: Any
    ) -> Deployment:
        async with self.db.session() as session:
            dep = (await session.execute(_deps_query().where(Deployment.id == dep_id))).scalar_one()
            for name, value in fields.items():
                setattr(dep, name, value)
            if event:
                session.add(DeploymentEvent(deployment_id=dep_id, kind=event, detail=detail or {}))
            await session.commit()
            dep = (await session.execute(_deps_query().where(Deployment.id == dep_id))).scalar_one()
        self.routes[dep.name] = route_of(dep)
        return dep

    async def history(self, dep_id: str) -> list[DeploymentEvent]:
        async with self.db.session() as session:
            query = select(DeploymentEvent).where(DeploymentEvent.deployment_id == dep_id)
            return list((await session.execute(query.order_by(DeploymentEvent.id))).scalars())

    # -- engines ----------------------------------------------------------------------------------------
    def _adapters(self, dep: Deployment, extra: DeploymentVersion | None = None) -> dict[str, str]:
        wanted = {item["version_id"] for item in dep.split or []}
        chosen = {v.id: v for v in dep.versions if v.id in wanted}
        if extra is not None:
            chosen[extra.id] = extra
        return {served_name(dep.name, v.number): v.adapter_path for v in chosen.values()}

    async def _start_engine(self, dep: Deployment, adapters: dict[str, str]) -> Any:
        folder = self.settings.home / "deployments" / dep.id
        template = (dep.options or {}).get("chat_template")
        if dep.engine == "cloud":
            return await self._start_cloud(dep, adapters)
        if dep.engine == "vllm":
            first = next(iter(adapters.values()))
            launch = engines.vllm_launch(
                dep.base_model,
                adapters,
                engine_port(),
                chat_template=template or engines.trained_chat_template(first),
                max_loras=int((dep.options or {}).get("max_loras", 4)),
            )
        else:
            launch = engines.cpu_launch(
                folder,
                dep.base_model,
                adapters,
                chat_template=template,
                threads=(dep.options or {}).get("threads"),
            )
        old = self.engines.pop(dep.id, None)
        if old:
            await old.stop()
        process = EngineProcess(launch, folder / "engine.log")
        process.start()
        self.engines[dep.id] = process
        await self._update(dep.id, engine_pid=process.pid, log_path=str(process.log_path))
        await process.wait_ready(float((dep.options or {}).get("start_timeout_s", 300)))
        return process

    async def _start_cloud(self, dep: Deployment, adapters: dict[str, str], redeploy: bool = False) -> Any:
        """Validate, price and launch (or update, or re-attach to) the deployment's SkyServe service."""
        folder = self.settings.home / "deployments" / dep.id
        engine, planned = await asyncio.to_thread(cloud_engine.build, folder, dep, adapters)
        engine.redeploy = redeploy
        self.engines[dep.id] = engine
        offer = {
            **planned["chosen"],
            "replicas": planned["replicas"],
            "price_source": planned["price_source"],
        }
        options = {**(dep.options or {}), "engine_key_file": str(folder / "engine.key"), "offer": offer}
        await self._update(
            dep.id,
            "cloud_launch",
            {"service": engine.name, "offer": offer, "task": str(engine.task_path)},
            options=options,
            log_path=str(engine.log_path),
            cost_per_hour_usd=planned["usd_per_hour"],
            message=f"launching SkyServe service {engine.name}: {offer['cloud']} {offer['instance_type']} "
            f"× {planned['replicas']} (${planned['usd_per_hour']:.2f}/h)",
        )
        dep.options = options
        await engine.wait_ready(float(options.get("start_timeout_s", 3600)))
        return engine

    async def _ensure_loaded(self, dep: Deployment, version: DeploymentVersion) -> None:
        """Load a version's adapter into the running engine (vLLM's and our runtime LoRA API); a cloud
        service is updated instead (its replicas load adapters from their own disks)."""
        import httpx

        engine = self.engines.get(dep.id)
        if engine is None or not engine.alive() or engine.url is None:
            raise VibeFlowError(
                f"deployment {dep.name} has no running engine", fix="start it first", http_status=409
            )
        name = served_name(dep.name, version.number)
        async with httpx.AsyncClient(timeout=120, headers=cloud_engine.engine_headers(dep)) as client:
            models = (await client.get(f"{engine.url}/v1/models")).json()
            if any(item["id"] == name for item in models.get("data", [])):
                return
            if dep.engine == "cloud":
                await self._start_cloud(dep, self._adapters(dep, version), redeploy=True)
                return
            answer = await client.post(
                f"{engine.url}/v1/load_lora_adapter",
                json={"lora_name": name, "lora_path": version.adapter_path},
            )
        if answer.status_code != 200:
            raise VibeFlowError(
                f"the engine could not load {name}: {answer.text[:300]}",
                fix=f"read the engine log {engine.log_path}",
                http_status=503,
            )

    async def _restore(self, dep_id: str) -> None:
        dep = await self.get(dep_id)
        async with self.lock(dep_id):
            await self._update(dep_id, status="starting", message="starting the engine")
            try:
                process = await self._start_engine(dep, self._adapters(dep))
            except VibeFlowError as error:
                await self._update(
                    dep_id, "failed", {"message": error.message}, status="failed", message=error.message
                )
                return
            await self._update(dep_id, "start", {}, status="live", message=None, engine_url=process.url)

    # -- deploy -----------------------------------------------------------------------------------------
    async def deploy(
        self,
        run: Any,
        engine: str = "auto",
        name: str | None = None,
        chat_template: str | None = None,
        cost_per_hour_usd: float | None = None,
        options: dict[str, Any] | None = None,
    ) -> Deployment:
        adapter = adapter_dir(run)
        base = base_of(adapter)
        if self.hardware is None:
            self.hardware = await asyncio.to_thread(engines.detect_hardware)
        chosen = engines.choose_engine(engine, self.hardware)
        name = slug(name or run.name)
        async with self.db.session() as session:
            dep = (await session.execute(_deps_query().where(Deployment.name == name))).scalar_one_or_none()
            if dep is not None and dep.project_id != run.project_id:
                raise ConfigError(
                    f"the name {name!r} is used by another project's deployment", fix="pass --name"
                )
            if dep is not None and dep.base_model != base:
                raise ConfigError(
                    f"deployment {name!r} serves base {dep.base_model}, this run trained on {base}",
                    fix="a deployment serves adapters of one base model: pass another --name",
                )
            if dep is None:
                dep = Deployment(
                    id=uuid.uuid4().hex[:12],
                    project_id=run.project_id,
                    name=name,
                    engine=chosen,
                    base_model=base,
                    status="starting",
                    desired="running",
                    split=[],
                    options={**(options or {})},
                    cost_per_hour_usd=cost_per_hour_usd or 0.0,
                    restarts=0,
                    versions=[],
                )
                if chat_template:
                    dep.options["chat_template"] = chat_template
                session.add(dep)
                await session.flush()
                number = 1
            else:
                number = 1 + max((v.number for v in dep.versions), default=0)
            version = DeploymentVersion(
                deployment_id=dep.id, number=number, run_id=run.id, adapter_path=str(adapter)
            )
            session.add(version)
            session.add(
                DeploymentEvent(
                    deployment_id=dep.id, kind="deploy", detail={"version": number, "run_id": run.id}
                )
            )
            await session.commit()
            dep_id, version_id = dep.id, version.id
        return await self._activate(dep_id, version_id)

    async def _activate(self, dep_id: str, version_id: int) -> Deployment:
        async with self.lock(dep_id):
            dep = await self.get(dep_id)
            version = next(v for v in dep.versions if v.id == version_id)
            fresh = not dep.split
            engine = self.engines.get(dep_id)
            if engine is None or not engine.alive():
                await self._update(
                    dep_id, status="starting", message="starting the engine", desired="running"
                )
                try:
                    engine = await self._start_engine(dep, self._adapters(dep, version))
                except VibeFlowError as error:
                    await self._update(
                        dep_id,
                        "failed",
                        {"message": error.message},
                        status="failed" if fresh else dep.status,
                        message=error.message,
                    )
                    raise
                await self._update(dep_id, engine_url=engine.url)
            else:
                await self._ensure_loaded(dep, version)
                engine = self.engines[dep_id]  # a cloud service update replaces the engine object
                if engine.url != dep.engine_url:
                    await self._update(dep_id, engine_url=engine.url)
            await self._update(
                dep_id, status="checking" if fresh else dep.status, message="consistency check"
            )
            verdict = await run_check(
                version.adapter_path,
                engine.url,
                served_name(dep.name, version.number),
                headers=cloud_engine.engine_headers(dep),
            )
            if not verdict.get("ok"):
                error = refusal(verdict, served_name(dep.name, version.number))
                if fresh:
                    await engine.stop()
                    self.engines.pop(dep_id, None)
                await self._update(
                    dep_id,
                    "refused",
                    {"version": version.number, "consistency": verdict},
                    status="refused" if fresh else "live",
                    message=error.message if fresh else None,
                    consistency=verdict,
                    engine_url=None if fresh else dep.engine_url,
                )
                raise error
            return await self._update(
                dep_id,
                "activate",
                {"version": version.number, "run_id": version.run_id},
                current_version_id=version.id,
                split=[{"version_id": version.id, "weight": 1.0}],
                status="live",
                message=None,
                consistency=verdict,
                desired="running",
            )

    # -- stop / start / failure -------------------------------------------------------------------------
    async def stop(self, ref: str) -> Deployment:
        dep = await self.get(ref)
        async with self.lock(dep.id):
            engine = self.engines.pop(dep.id, None)
            if engine:
                await engine.stop()
            elif dep.engine == "cloud":  # not attached in this backend: its service may still run (and cost)
                await cloud_engine.down(self.settings.home / "deployments" / dep.id, dep.name)
            return await self._update(
                dep.id,
                "stop",
                {},
                desired="stopped",
                status="stopped",
                engine_url=None,
                engine_pid=None,
                message="stopped by the user",
            )

    async def start(self, ref: str) -> Deployment:
        dep = await self.get(ref)
        if not dep.split:
            raise ConfigError(f"deployment {dep.name} has no live version", fix="deploy a run to it")
        engine = self.engines.get(dep.id)
        if engine is not None and engine.alive():
            return dep
        await self._update(dep.id, desired="running")
        await self._restore(dep.id)
        return await self.get(dep.id)

    def engine_failed(self, dep_id: str, reason: str) -> None:
        """Called by the gateway (engine unreachable) and the watchdog (process gone): mark unhealthy, restart."""
        if dep_id in self.recovering:
            return
        self.recovering.add(dep_id)
        for route in self.routes.values():
            if route.id == dep_id:
                route.status, route.message = "unhealthy", reason
        self._spawn(self._recover(dep_id, reason))

    async def _recover(self, dep_id: str, reason: str) -> None:
        try:
            dep = await self._update(
                dep_id, "unhealthy", {"reason": reason}, status="unhealthy", message=reason
            )
            async with self.lock(dep_id):
                if dep.desired != "running":
                    return
                for attempt in range(MAX_RESTARTS):
                    try:
                        process = await self._start_engine(dep, self._adapters(dep))
                    except VibeFlowError as error:
                        log.warning("restart %d of %s failed: %s", attempt + 1, dep.name, error.message)
                        await asyncio.sleep(min(30, 2**attempt))
                        continue
                    await self._update(
                        dep_id,
                        "restart",
                        {"reason": reason, "attempt": attempt + 1},
                        status="live",
                        message=None,
                        engine_url=process.url,
                        restarts=(dep.restarts or 0) + 1,
                    )
                    return
                await self._update(
                    dep_id,
                    "failed",
                    {"reason": reason},
                    status="failed",
                    message=f"the engine kept failing ({reason}); see the engine log",
                )
        finally:
            self.recovering.discard(dep_id)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            for dep_id, engine in list(self.engines.items()):
                if dep_id in self.recovering or engine.alive() or engine.url is None:
                    continue
                if self.lock(dep_id).locked():
                    continue
                code = engine.proc.returncode if engine.proc else None
                with contextlib.suppress(Exception):
                    self.engine_failed(dep_id, f"the engine process exited (code {code})")


def _deps_query() -> Any:
    return select(Deployment).options(selectinload(Deployment.versions))
