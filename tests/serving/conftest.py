"""Fixtures for serving tests: demo-base LoRA adapters made with peft, completed runs registered in a store,
and a real `vibeflow serve` (API + gateway on its own port) with one live CPU deployment."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tests.serving.adapters import make_adapter


@dataclass
class Stack:
    """A running backend with a live deployment: management client, gateway base URL, a key, run ids."""

    api: httpx.Client
    home: Path
    base_url: str
    key: str
    deployment: dict
    runs: dict[str, str]
    adapters: dict[str, Path]


async def _register_runs(home: Path, adapters: dict[str, Path]) -> dict[str, str]:
    from vibeflow.settings import load_settings
    from vibeflow.store.db import open_database
    from vibeflow.store.models import Project
    from vibeflow.store.models_runs import Run

    os.environ["VIBEFLOW_HOME"] = str(home)
    runs = {}
    async with open_database(load_settings()) as db, db.session() as session:
        project = Project(name="support-bot")
        session.add(project)
        await session.flush()
        for label, path in adapters.items():
            run_id = f"run-{label}"
            session.add(
                Run(
                    id=run_id,
                    project_id=project.id,
                    name="support-bot",
                    status="completed",
                    method="lora",
                    preset="balanced",
                    base_model="vibeflow-demo-tiny",
                    output_dir=str(path),
                    adapter_path=str(path),
                )
            )
            runs[label] = run_id
        await session.commit()
    return runs


def start_backend(home: Path, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str, str]:
    env = {**os.environ, "VIBEFLOW_HOME": str(home), "VIBEFLOW_GATEWAY_PORT": "0", **(extra_env or {})}
    errors = (home / "backend.stderr").open("w")  # read it when a test fails
    proc = subprocess.Popen(
        [sys.executable, "-m", "vibeflow", "serve", "--json"],
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        env=env,
    )
    line = proc.stdout.readline()
    assert line, (home / "backend.stderr").read_text()
    info = json.loads(line)
    return proc, info["url"], info["token"]


@pytest.fixture(scope="session")
def adapters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("adapters")
    previous = os.environ.get("VIBEFLOW_HOME")
    os.environ["VIBEFLOW_HOME"] = str(root / "home")  # where the demo base is built once
    try:
        return {"a": make_adapter(root / "a", seed=1), "b": make_adapter(root / "b", seed=2)}
    finally:
        if previous is not None:
            os.environ["VIBEFLOW_HOME"] = previous


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, adapters: dict[str, Path]) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("serving-home")
    previous = os.environ.get("VIBEFLOW_HOME")
    runs = asyncio.run(_register_runs(home, adapters))
    if previous is not None:
        os.environ["VIBEFLOW_HOME"] = previous
    proc, url, token = start_backend(home)
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=600)
    try:
        answer = api.post(
            "/api/deployments",
            json={"run": runs["a"], "engine": "cpu", "name": "support-bot", "create_key": True, "threads": 1},
        )
        assert answer.status_code == 201, answer.text + (home / "backend.stderr").read_text()[-3000:]
        deployment = answer.json()
        yield Stack(
            api, home, deployment["endpoint"], deployment["api_key"]["key"], deployment, runs, adapters
        )
    finally:
        api.close()
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
