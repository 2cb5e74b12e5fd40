"""Fixtures for language-server tests: a workspace on disk and a real pytest-lsp client driving `vibeflow lsp`."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client
from tests.lsp.helpers import WORKSPACE_FILES

OPTIONS = {"progressMinLines": 200, "debounceMs": 5, "recipeDebounceMs": 5}


def make_workspace(root: Path) -> Path:
    for name, text in WORKSPACE_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def server_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"VIBEFLOW_HOME": str(home), "VIBEFLOW_CUDA": "0", "HF_HUB_OFFLINE": "1"})
    env.pop("VIBEFLOW_TOKEN", None)
    return env


def collect_custom(client: LanguageClient) -> dict[str, list[dict[str, Any]]]:
    """Record vibeflow/* notifications as plain dicts on the client."""
    seen: dict[str, list[dict[str, Any]]] = {"vibeflow/status": [], "vibeflow/ready": []}

    def plain(value: Any) -> Any:
        if hasattr(value, "_asdict"):
            return {k: plain(v) for k, v in value._asdict().items()}
        return value

    for method, bucket in seen.items():

        def record(ls: LanguageClient, params: Any, bucket: list[dict[str, Any]] = bucket) -> None:
            bucket.append(plain(params))

        client.feature(method)(record)
    return seen


async def start_client(home: Path, root: Path, *extra: str) -> tuple[LanguageClient, types.InitializeResult]:
    client = make_test_lsp_client()
    client.custom = collect_custom(client)  # type: ignore[attr-defined]
    await client.start_io(sys.executable, "-m", "vibeflow", "lsp", *extra, env=server_env(home))
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options=OPTIONS,
        )
    )
    return client, result


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("ws"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def lsp(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LanguageClient]:
    """One language server (no HTTP) shared by a test module."""
    client, _ = await start_client(tmp_path_factory.mktemp("home"), workspace, "--no-http")
    yield client
    await client.shutdown_session()
    await client.stop()


async def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
