"""A cloud deployment's engine never leaves a failed or stuck SkyServe service running: it is taken down and
the error says what to do. (A scripted SkyServe: these paths are about our reaction to its statuses.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from vibeflow.serving import cloud_engine
from vibeflow.serving.cloud_engine import CloudEngine
from vibeflow.serving.process import EngineStartError


class Scripted:
    """Answers `status` from a list (the last one repeats) and records the calls."""

    def __init__(self, statuses: list[dict | None]) -> None:
        self.statuses, self.calls = list(statuses), []

    def status(self, name: str) -> dict | None:
        self.calls.append("status")
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def up(self, task_path: Path, name: str, secrets: dict, log_path: Path) -> None:
        self.calls.append("up")

    def update(self, task_path: Path, name: str, secrets: dict, log_path: Path) -> None:
        self.calls.append("update")

    def down(self, name: str, log_path: Path) -> None:
        self.calls.append("down")


def engine(tmp_path: Path, driver: Scripted) -> CloudEngine:
    return CloudEngine("vibeflow-bot", tmp_path / "sky-serve.yaml", tmp_path / "skyserve.log", "k", driver)


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cloud_engine, "POLL_S", 0.01)


async def test_a_failed_service_is_taken_down_with_a_fix(tmp_path: Path) -> None:
    driver = Scripted([None, {"status": "CONTROLLER_INIT"}, {"status": "FAILED"}])
    with pytest.raises(EngineStartError) as caught:
        await engine(tmp_path, driver).wait_ready(30)
    assert "FAILED; it was taken down" in caught.value.message and "skyserve.log" in caught.value.fix
    assert driver.calls[0:2] == ["status", "up"] and driver.calls[-1] == "down"


async def test_a_service_not_ready_in_time_is_taken_down(tmp_path: Path) -> None:
    driver = Scripted([None, {"status": "REPLICA_INIT", "endpoint": None}])
    with pytest.raises(EngineStartError) as caught:
        await engine(tmp_path, driver).wait_ready(0.2)
    assert "not ready within" in caught.value.message and "--start-timeout" in caught.value.fix
    assert driver.calls[-1] == "down"


async def test_a_failed_service_found_at_start_is_replaced(tmp_path: Path) -> None:
    driver = Scripted([{"status": "FAILED"}, None, {"status": "FAILED"}])
    with pytest.raises(EngineStartError):
        await engine(tmp_path, driver).wait_ready(30)
    assert driver.calls[:3] == [
        "status",
        "down",
        "up",
    ]  # the old one goes before `sky serve up` reuses the name


def test_engine_key_is_private_and_stable(tmp_path: Path) -> None:
    key, path = cloud_engine.engine_key(tmp_path / "dep")
    assert len(key) >= 40 and path.stat().st_mode & 0o777 == 0o600
    assert cloud_engine.engine_key(tmp_path / "dep")[0] == key
