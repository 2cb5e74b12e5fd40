"""Uploads through the real backend: concurrent same-name uploads each get back a path holding exactly their
own bytes (and its sha256), hostile names are 4xx, non-ASCII names stay distinct, and staging files left
by a killed backend are removed at the next start while a live upload's staging file is kept."""

from __future__ import annotations

import fcntl
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from vibeflow.data.uploads import sweep_staging, upload_name
from vibeflow.data.versions import _dataset_name
from vibeflow.errors import VibeFlowError

CLIENTS = 12


def _upload(url: str, token: str, name: str, content: bytes) -> httpx.Response:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
        return c.post("/api/data/upload", files={"file": (name, content, "text/csv")})


def test_concurrent_same_name_uploads_keep_their_own_bytes(server: tuple[str, str]) -> None:
    url, token = server
    contents = [
        (f"instruction,response\nq{i},a{i}\n".encode() + bytes([65 + i]) * (2 << 20)) for i in range(CLIENTS)
    ]
    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(lambda c: _upload(url, token, "data.csv", c), contents))
    assert [a.status_code for a in answers] == [200] * CLIENTS, [
        a.text for a in answers if a.status_code != 200
    ]
    paths = set()
    for content, answer in zip(contents, answers, strict=True):
        body = answer.json()
        assert Path(body["path"]).read_bytes() == content
        assert body["sha256"] == hashlib.sha256(content).hexdigest() and body["bytes"] == len(content)
        assert Path(body["path"]).name == "data.csv"
        paths.add(body["path"])
    assert len(paths) == CLIENTS
    uploads = Path(os.environ["VIBEFLOW_HOME"]) / "uploads"
    assert not list(uploads.glob(".*.partial"))


@pytest.mark.parametrize("name", ["..", ".", "../evil.csv", "a/b.csv", "dir\\\\x.csv", "x" * 300])
def test_hostile_upload_names_are_4xx(client: Any, name: str) -> None:
    answer = client.post("/api/data/upload", files={"file": (name, b"a,b\n1,2\n", "text/csv")})
    assert 400 <= answer.status_code < 500, answer.text
    body = answer.json()
    assert body["message"] and body["fix"]


def test_non_ascii_names_do_not_collide(client: Any) -> None:
    first = client.post("/api/data/upload", files={"file": ("日本.csv", b"a,b\n1,2\n", "text/csv")}).json()
    second = client.post("/api/data/upload", files={"file": ("中国.csv", b"a,b\n1,2\n", "text/csv")}).json()
    assert Path(first["path"]).name == "日本.csv" and Path(second["path"]).name == "中国.csv"
    assert _dataset_name(Path(first["path"])) != _dataset_name(Path(second["path"]))
    assert _dataset_name(Path("données.csv")) == "données"


def test_upload_name_rules() -> None:
    assert upload_name("my data (1).csv") == "my_data_1_.csv"
    assert upload_name(None) == "upload"
    for bad in ("..", ".", "a/b", "c\\d", "\x00x", "tab\there"):
        with pytest.raises(VibeFlowError):
            upload_name(bad)


@pytest.fixture
def stale_staging(vibeflow_home: Path) -> list[Path]:
    """Staging files a killed backend left behind (this version's and the old shared name)."""
    uploads = vibeflow_home / "uploads"
    uploads.mkdir()
    left = [uploads / ".upload-killed.partial", uploads / ".data.csv.partial"]
    for path in left:
        path.write_bytes(b"half")
    return left


def test_stale_staging_is_swept_at_start(stale_staging: list[Path], client: Any) -> None:
    assert client.get("/api/datasets").status_code == 200
    assert not any(path.exists() for path in stale_staging)


def test_sweep_keeps_a_live_upload(tmp_path: Path) -> None:
    live, dead = tmp_path / ".upload-live.partial", tmp_path / ".upload-dead.partial"
    live.write_bytes(b"x")
    dead.write_bytes(b"y")
    with open(live, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        assert sweep_staging(tmp_path) == 1
    assert live.exists() and not dead.exists()
