"""HTTP routes in-process (ASGI transport + the app's lifespan): create → SSE to the end → curves, events, retry."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tests.runs.conftest import recipe_text, store_split

from vibeflow.api.app import create_app

TOKEN = "test-token"


@pytest.fixture
async def client(settings, fake_trainer) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    app = create_app(settings, TOKEN)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=headers, timeout=60
        ) as http:
            http.app = app  # type: ignore[attr-defined]
            yield http


def parse_sse(text: str) -> list[dict]:
    out = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))
        if "data" in fields:
            out.append(
                {"event": fields.get("event"), "id": fields.get("id"), "data": json.loads(fields["data"])}
            )
    return out


async def test_create_stream_metrics_events(client: httpx.AsyncClient, db, settings, tmp_path: Path) -> None:  # noqa: ANN001
    await store_split(db, settings)
    bad = await client.post(
        "/api/runs", json={"recipe": "name: x\ndata:\n  version: support@2\nmethod: lorra\n"}
    )
    assert bad.status_code == 400 and bad.json()["line"] == 4 and "lora" in bad.json()["fix"]
    created = await client.post(
        "/api/runs",
        json={"recipe": recipe_text(), "base_dir": str(tmp_path), "overrides": {"training.max_steps": 30}},
    )
    assert created.status_code == 201, created.text
    run = created.json()
    assert (
        run["status"] == "queued" and run["spec"]["max_steps"] == 30 and run["recipe"]["preset"] == "balanced"
    )

    stream = await client.get(f"/api/runs/{run['id']}/events/stream")  # ends when the run has finished
    assert stream.headers["content-type"].startswith("text/event-stream")
    items = parse_sse(stream.text)
    assert items[-1]["event"] == "end" and items[-1]["data"]["status"] == "completed"
    seqs = [int(item["id"]) for item in items[:-1]]
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free, in order, no duplicates
    assert {"stage", "metrics", "checkpoint", "status"} <= {item["event"] for item in items}

    resumed = parse_sse(
        (
            await client.get(f"/api/runs/{run['id']}/events/stream", headers={"Last-Event-ID": str(seqs[-5])})
        ).text
    )
    assert [int(i["id"]) for i in resumed[:-1]] == seqs[-4:]

    detail = (await client.get(f"/api/runs/{run['id']}")).json()
    assert detail["status"] == "completed" and detail["step"] == 30 and detail["adapter_path"]

    curves = (
        await client.get(
            f"/api/runs/{run['id']}/metrics", params={"names": "loss,tokens_per_s", "max_points": 10}
        )
    ).json()
    loss = curves["series"]["loss"]
    assert loss["total"] == 30 and len(loss["points"]) <= 10 and loss["downsampled"]
    assert loss["points"][0][0] == 1 and loss["points"][-1][0] == 30  # bounds kept
    assert set(curves["series"]) == {"loss", "tokens_per_s"}

    page = (await client.get(f"/api/runs/{run['id']}/events", params={"after_seq": 0, "limit": 10})).json()
    assert [e["seq"] for e in page["events"]] == list(range(1, 11)) and page["has_more"]
    page2 = (
        await client.get(
            f"/api/runs/{run['id']}/events", params={"after_seq": page["next_seq"], "type": "checkpoint"}
        )
    ).json()
    assert page2["events"] and all(e["type"] == "checkpoint" and e["seq"] > 10 for e in page2["events"])

    listed = (await client.get("/api/runs", params={"status": "completed"})).json()
    assert [r["id"] for r in listed] == [run["id"]]
    logs = (await client.get(f"/api/runs/{run['id']}/logs")).json()
    assert any("noise line" in line for line in logs["lines"]) and not any(
        "@@vibeflow@@" in x for x in logs["lines"]
    )
    assert (await client.post(f"/api/runs/{run['id']}/resume")).status_code == 409
    assert (await client.get("/api/runs/ghost-000000")).status_code == 404


async def test_retry_plan_and_retry_over_http(
    client: httpx.AsyncClient,
    db,
    settings,
    fake_trainer,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    fake_trainer("oom")
    await store_split(db, settings)
    run = (
        await client.post("/api/runs", json={"recipe": recipe_text(batch_size=16), "base_dir": str(tmp_path)})
    ).json()
    items = parse_sse((await client.get(f"/api/runs/{run['id']}/events/stream")).text)
    assert items[-1]["data"]["status"] == "failed"
    assert any(i["event"] == "error" and i["data"]["error_type"] == "out_of_memory" for i in items)

    plan = (await client.get(f"/api/runs/{run['id']}/retry-plan")).json()
    assert plan["suggestion"]["reason"] == "out of memory"
    assert plan["tree"]["training"]["batch_size"] == {"before": 16, "after": 8}
    retried = await client.post(f"/api/runs/{run['id']}/retry")
    assert retried.status_code == 201
    body = retried.json()
    assert body["parent_id"] == run["id"] and body["spec"]["batch_size"] == 8
    assert body["adjustments"]["effective_diff"] == plan["effective_diff"]
    final = parse_sse((await client.get(f"/api/runs/{body['id']}/events/stream")).text)
    assert final[-1]["data"]["status"] == "failed"  # 8 still > 4 for the scripted OOM: retry again
    second = (await client.post(f"/api/runs/{body['id']}/retry")).json()
    assert second["spec"]["batch_size"] == 4 and second["spec"]["gradient_accumulation"] == 8
    assert (
        parse_sse((await client.get(f"/api/runs/{second['id']}/events/stream")).text)[-1]["data"]["status"]
        == "completed"
    )


async def test_status_stream_and_recipe_endpoints(client: httpx.AsyncClient, db, settings, tmp_path) -> None:  # noqa: ANN001
    await store_split(db, settings)
    run = (await client.post("/api/runs", json={"recipe": recipe_text(), "base_dir": str(tmp_path)})).json()
    items = parse_sse((await client.get("/api/runs/stream", params={"max_events": 3})).text)
    assert items[0]["event"] == "snapshot" and run["id"] in [r["id"] for r in items[0]["data"]["runs"]]
    assert (
        all(i["event"] == "run" and i["data"]["run_id"] == run["id"] for i in items[1:]) and len(items) == 4
    )
    parse_sse((await client.get(f"/api/runs/{run['id']}/events/stream")).text)  # let it finish

    checked = (
        await client.post("/api/recipe/validate", json={"text": "name: x\ndata:\n  pth: a.csv\n"})
    ).json()
    assert not checked["valid"] and checked["issues"][0]["line"] == 3
    assert "did you mean 'path'" in checked["issues"][0]["fix"]
    schema = (await client.get("/api/recipe/schema")).json()
    assert schema["title"].startswith("VibeFlow recipe")
