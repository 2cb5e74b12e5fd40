"""`vibeflow lsp` as the editor starts it: the handshake hands out the HTTP API's URL and token, and they work."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lsprotocol import types
from tests.lsp.conftest import start_client, wait_for


@pytest.mark.asyncio
async def test_initialize_hands_out_a_working_http_api(tmp_path: Path) -> None:
    client, result = await start_client(tmp_path / "home", tmp_path)
    try:
        assert result.server_info.name == "vibeflow"
        caps = result.capabilities
        sync = caps.text_document_sync
        assert (
            isinstance(sync, types.TextDocumentSyncOptions)
            and sync.change == types.TextDocumentSyncKind.Incremental
        )
        assert caps.code_lens_provider.resolve_provider and caps.code_action_provider.resolve_provider
        vibeflow = caps.experimental["vibeflow"]
        http = vibeflow["http"]
        assert http["url"].startswith("http://127.0.0.1:") and len(http["token"]) >= 32
        assert (
            "vibeflow/status" in vibeflow["notifications"]
            and "vibeflow.startTraining" in vibeflow["commands"]
        )

        ready = await wait_for(lambda: client.custom["vibeflow/ready"], timeout=30, what="vibeflow/ready")
        assert ready[0]["url"] == http["url"] and ready[0]["token"] == http["token"]
        states = [s["state"] for s in client.custom["vibeflow/status"]]
        assert states[0] == "starting" and states[-1] == "ready"

        async with httpx.AsyncClient(base_url=http["url"], timeout=30) as api:
            assert (await api.get("/api/health")).json()["status"] == "ok"
            assert (await api.get("/openapi.json")).status_code == 401
            answer = await api.get("/openapi.json", headers={"Authorization": f"Bearer {http['token']}"})
            assert answer.status_code == 200 and answer.json()["info"]["title"] == "VibeFlow API"
    finally:
        await client.shutdown_session()
        await client.stop()
    assert client._server is not None and client._server.returncode == 0
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{http['url']}/api/health", timeout=2)


@pytest.mark.asyncio
async def test_busy_port_reports_error_status_but_serves_lsp(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        client, result = await start_client(tmp_path / "home", tmp_path, "--port", str(port))
        try:
            assert result.capabilities.experimental["vibeflow"]["http"] is None
            status = await wait_for(lambda: client.custom["vibeflow/status"], what="status")
            assert status[-1]["state"] == "error" and f"127.0.0.1:{port}" in status[-1]["detail"]
            recipe = tmp_path / "vibeflow.yaml"
            recipe.write_text("name: x\ndata:\n  path: t.jsonl\n")
            hover = await client.text_document_hover_async(
                types.HoverParams(types.TextDocumentIdentifier(recipe.as_uri()), types.Position(0, 1))
            )
            assert hover is None, "not opened: no hover, but the server answers"
        finally:
            await client.shutdown_session()
            await client.stop()
