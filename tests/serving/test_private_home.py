"""Secrets stay private: a backend started the way `vibeflow deploy`/`demo` start one (detached, output into
$VIBEFLOW_HOME/serve.log) never writes its token into any log, every file and folder under VIBEFLOW_HOME (the
SQLite database and its -wal/-shm journals included) has no group/other permission bits, and what an earlier
version left world-readable is tightened at start. Log records never carry a registered secret."""

from __future__ import annotations

import json
import logging
import os
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def _stop(home: Path) -> None:
    info = json.loads((home / "server.json").read_text())
    os.kill(info["pid"], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(info["pid"], 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(info["pid"], signal.SIGKILL)


@pytest.fixture
def left_open(vibeflow_home: Path) -> list[Path]:
    """State an earlier version created readable by everyone."""
    os.chmod(vibeflow_home, 0o755)
    runs = vibeflow_home / "runs" / "old-run"
    runs.mkdir(parents=True, mode=0o755)
    os.chmod(runs, 0o755)
    log = runs / "train.log"
    log.write_text("old\n")
    os.chmod(log, 0o644)
    serve_log = vibeflow_home / "serve.log"
    serve_log.write_text("token: an-old-leaked-token\n")
    os.chmod(serve_log, 0o644)
    return [vibeflow_home, runs, log, serve_log]


@pytest.fixture
def detached_backend(
    left_open: list[Path], vibeflow_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A backend started by the deploy command's own code; yields its token."""
    from vibeflow.cli.deploy_cmd import _client

    monkeypatch.setenv("VIBEFLOW_GATEWAY_PORT", "0")
    old_umask = os.umask(0o022)  # a typical user's umask: the backend must not rely on it
    try:
        client = _client(start=True)
    finally:
        os.umask(old_umask)
    try:
        assert client.get("/api/health").status_code == 200
        # State of every kind is written before the files are inspected: an upload, an imported version
        # (artifact, database rows, WAL journal).
        rows = "".join(
            f"question {i} about {i * 7} things,answer {i} with {i * 3} words\n" for i in range(20)
        )
        uploaded = client.post("/api/data/upload", files={"file": ("t.csv", "question,answer\n" + rows)})
        assert uploaded.status_code == 200, uploaded.text
        imported = client.post("/api/data/import", json={"path": uploaded.json()["path"], "model": "approx"})
        assert imported.status_code == 200, imported.text
        yield json.loads((vibeflow_home / "server.json").read_text())["token"]
    finally:
        client.close()
        _stop(vibeflow_home)


def _open_entries(home: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(home):
        for name in (".", *dirs, *files):
            path = Path(folder, name)
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode) and mode & 0o077:
                found.append(f"{path.relative_to(home)} {stat.filemode(mode)}")
    return found


def test_deploy_started_backend_keeps_token_and_state_private(
    detached_backend: str, vibeflow_home: Path
) -> None:
    token = detached_backend
    assert len(token) > 20
    leaks = [
        str(path)
        for path in vibeflow_home.rglob("*")
        if path.is_file() and path.name != "server.json" and token.encode() in path.read_bytes()
    ]
    assert not leaks, f"the session token was written into {leaks}"
    assert (vibeflow_home / "vibeflow.db").is_file()
    assert (vibeflow_home / "vibeflow.db-wal").exists() or (vibeflow_home / "vibeflow.db-shm").exists()
    assert not _open_entries(vibeflow_home), _open_entries(vibeflow_home)


def test_log_records_never_carry_a_hidden_secret(caplog: pytest.LogCaptureFixture) -> None:
    from vibeflow.redact import MASK, hide

    secret = "tok-" + "s3cr3t" * 6
    hide(secret)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("pygls.protocol").debug("Sending data: %s", {"http": {"token": secret}})
        logging.getLogger("anything").info(f"inline {secret}")
    assert secret not in caplog.text and caplog.text.count(MASK) == 2


def test_tighten_walks_only_a_dedicated_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A VIBEFLOW_HOME set to the user's home (or above it) is not walked: only VibeFlow's own folder is."""
    from vibeflow.store.private import tighten

    user_home = tmp_path / "user"
    (user_home / ".vibeflow").mkdir(parents=True)
    shared = user_home / "public.txt"
    shared.write_text("for everyone")
    os.chmod(shared, 0o644)
    state = user_home / ".vibeflow" / "vibeflow.db"
    state.write_text("db")
    os.chmod(state, 0o644)
    monkeypatch.setenv("HOME", str(user_home))
    assert tighten(user_home) == 0 and tighten(tmp_path) == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644
    assert tighten(user_home / ".vibeflow") >= 1
    assert stat.S_IMODE(state.stat().st_mode) == 0o600 and stat.S_IMODE(shared.stat().st_mode) == 0o644
