"""`vibeflow deploy RUN --cloud`: a SkyServe service registered behind the same gateway as local deployments.

Real here: the ServingManager and its gateway, the store, the generated SkyServe task validated and priced
by SkyPilot's optimizer in its venv (offline catalog), the consistency check, the official `openai` client.
Replaced: SkyServe itself (tests/cloud/skyserve_standin.py runs the task's replica here as the CPU engine).
"""

from __future__ import annotations

import httpx
import pytest
import yaml
from openai import AsyncOpenAI
from tests.cloud.skyserve_standin import LocalSkyServe, replica_inputs
from tests.serving.adapters import make_adapter
from tests.serving.conftest import _register_runs

from vibeflow.cloud import skyserve
from vibeflow.cloud.errors import CloudError
from vibeflow.serving import cloud_engine
from vibeflow.serving.manager import ServingManager
from vibeflow.store.models_runs import Run


@pytest.fixture
def standin(sky_home, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("VIBEFLOW_GATEWAY_PORT", "0")
    monkeypatch.setattr(cloud_engine, "POLL_S", 0.2)
    fake = LocalSkyServe(tmp_path / "skyserve")
    monkeypatch.setattr(skyserve, "DRIVER", lambda: fake)
    yield fake
    fake.shutdown()


async def test_cloud_deployment_is_served_metered_and_split_through_the_gateway(
    db, settings, tmp_path, standin, monkeypatch
) -> None:  # noqa: ANN001
    monkeypatch.setenv("VIBEFLOW_SKY_OFFLINE_CLOUDS", "lambda,runpod")
    adapters = {"a": make_adapter(tmp_path / "a", seed=1), "b": make_adapter(tmp_path / "b", seed=2)}
    run_ids = await _register_runs(settings.home, adapters)
    async with db.session() as session:
        runs = {label: await session.get(Run, run_id) for label, run_id in run_ids.items()}
    manager = ServingManager(db, settings)
    await manager.open()
    try:
        dep = await manager.deploy(
            runs["a"], "cloud", "support-bot", options={"gpu": "A100-40GB", "replicas": 2}
        )
        assert (dep.status, dep.engine) == ("live", "cloud") and standin.calls == [
            ("up", "vibeflow-support-bot")
        ]
        offer = dep.options["offer"]
        assert (offer["cloud"], offer["instance_type"], offer["usd_per_hour"]) == (
            "Lambda",
            "gpu_1x_a100",
            1.99,
        )
        assert dep.cost_per_hour_usd == pytest.approx(2 * 1.99)  # both replicas
        task = yaml.safe_load((settings.home / "deployments" / dep.id / "sky-serve.yaml").read_text())
        assert task["service"]["replicas"] == 2 and task["resources"]["accelerators"] == "A100:1"
        assert replica_inputs(task)[1] == {"support-bot-v1": str(adapters["a"])}
        replica = dep.engine_url
        assert (await _get(f"{replica}/v1/models")).status_code == 401  # the public endpoint needs the key

        _row, key = await manager.keys.create(dep.project_id, "app")
        client = AsyncOpenAI(base_url=f"{manager.host.url}/v1", api_key=key, max_retries=0)
        chat = await client.chat.completions.create(
            model="support-bot", messages=[{"role": "user", "content": "Where is my order?"}], max_tokens=8
        )
        assert chat.choices[0].message.content and chat.usage.completion_tokens > 0
        stream = await client.completions.create(
            model="support-bot", prompt="Hello", max_tokens=4, stream=True
        )
        assert "".join([piece.choices[0].text async for piece in stream if piece.choices])

        # a second run becomes version 2: SkyServe is updated to serve both adapters, then traffic is split
        dep = await manager.deploy(runs["b"], "cloud", "support-bot")
        assert standin.calls[-1] == ("update", "vibeflow-support-bot")
        updated = replica_inputs(standin.tasks["vibeflow-support-bot"])[1]
        assert updated == {"support-bot-v1": str(adapters["a"]), "support-bot-v2": str(adapters["b"])}
        dep = await manager.set_split("support-bot", 2, 0.5, version_a=1)
        for _ in range(12):
            await client.completions.create(model="support-bot", prompt="Hi", max_tokens=2)
        await manager.meter.flush()
        from vibeflow.serving.usage import usage_report

        async with db.session() as session:
            report = await usage_report(session, dep.id, 1, {v.id: f"v{v.number}" for v in dep.versions})
        arms = {row["version"]: row["requests"] for row in report["by_version"]}
        assert report["total"]["cost_usd"] > 0 and arms.keys() == {"v1", "v2"}, arms
    finally:
        await manager.close()
    assert standin.calls[-1][0] != "down", "a backend shutdown leaves the cloud service running"

    # a new backend re-attaches to the running service instead of launching another
    manager = ServingManager(db, settings)
    await manager.open()
    try:
        await _until_live(manager, "support-bot")
        assert [c for c in standin.calls if c[0] == "up"] == [("up", "vibeflow-support-bot")]
        client = AsyncOpenAI(base_url=f"{manager.host.url}/v1", api_key=key, max_retries=0)
        answer = await client.completions.create(model="support-bot", prompt="Hi", max_tokens=2)
        assert answer.choices[0].text is not None
    finally:
        await manager.close()
    # stop from a backend that never attached to the service still tears it down (it would keep costing)
    stopped = await ServingManager(db, settings).stop("support-bot")
    assert stopped.status == "stopped" and standin.calls[-1] == ("down", "vibeflow-support-bot")
    assert not standin.services


async def test_cloud_deploy_without_any_cloud_explains_and_launches_nothing(
    db, settings, tmp_path, standin
) -> None:  # noqa: ANN001
    adapters = {"a": make_adapter(tmp_path / "a", seed=1)}
    run_ids = await _register_runs(settings.home, adapters)
    async with db.session() as session:
        run = await session.get(Run, run_ids["a"])
    manager = ServingManager(db, settings)
    await manager.open()
    try:
        with pytest.raises(CloudError) as caught:
            await manager.deploy(run, "cloud", "support-bot", options={"gpu": "A100-40GB"})
        deps = await manager.list()
    finally:
        await manager.close()
    assert caught.value.kind == "no_clouds" and "vibeflow cloud check" in caught.value.fix
    assert "Lambda gpu_1x_a100 $1.99/h" in caught.value.fix  # the catalog's offers for that GPU
    assert standin.calls == [] and deps[0].status == "failed"


async def _get(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(url)


async def _until_live(manager: ServingManager, name: str, timeout: float = 120) -> None:
    import asyncio

    for _ in range(int(timeout / 0.2)):
        dep = await manager.get(name)
        if dep.status == "live" and name in manager.routes and manager.routes[name].engine_url:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{name} is {dep.status}: {dep.message}")
