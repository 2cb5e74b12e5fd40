"""Revocation and rotation take effect on the next gateway request, even while the key's first request is
still being verified (the race that left a revoked key cached as valid). Deterministic: the in-flight request
is held inside scrypt verification by an event, the key is revoked, then released."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from vibeflow.serving import keys
from vibeflow.serving.gateway import Gateway, build_app
from vibeflow.serving.keystore import KeyStore
from vibeflow.serving.limits import RateLimiter
from vibeflow.store.models import Project


async def _project(db: Any) -> int:
    async with db.session() as session:
        project = Project(name="revocation")
        session.add(project)
        await session.commit()
        return project.id


def _held_verify(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make the next scrypt verification wait for `release` (it signals `entered` first)."""
    entered, release = threading.Event(), threading.Event()
    real = keys.verify

    def held(*args: Any) -> bool:
        entered.set()
        assert release.wait(30), "the test never released the in-flight verification"
        return real(*args)

    monkeypatch.setattr(keys, "verify", held)
    return entered, release


@pytest.mark.parametrize("action", ["revoke", "rotate"])
async def test_key_is_refused_on_the_next_request_after_revocation_in_flight(
    db: Any, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    store = KeyStore(db)
    row, secret = await store.create(await _project(db), "racy")
    manager = SimpleNamespace(keys=store, limiter=RateLimiter(), routes={})
    transport = httpx.ASGITransport(app=build_app(Gateway(manager)))
    headers = {"Authorization": f"Bearer {secret}"}
    entered, release = _held_verify(monkeypatch)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        in_flight = asyncio.create_task(client.get("/v1/models", headers=headers))
        assert await asyncio.to_thread(entered.wait, 30)
        if action == "revoke":
            await store.revoke(row.id)
            replacement = None
        else:
            _new_row, replacement = await store.rotate(row.id)
        release.set()
        await in_flight  # began before the revocation: either answer is fine
        after = await client.get("/v1/models", headers=headers)
        assert after.status_code == 401, after.text
        assert after.json()["error"]["code"] == "invalid_api_key"
        again = await client.get("/v1/models", headers=headers)
        assert again.status_code == 401
        if replacement is not None:
            fresh = await client.get("/v1/models", headers={"Authorization": f"Bearer {replacement}"})
            assert fresh.status_code == 200, fresh.text


async def test_rotation_is_one_transaction(db: Any) -> None:
    """A rotated key is revoked and replaced together; rotating it again is refused, not a second mint."""
    store = KeyStore(db)
    row, _secret = await store.create(await _project(db), "rot")
    new, _new_secret = await store.rotate(row.id)
    listed = {k.id: k for k in await store.list()}
    assert listed[row.id].revoked_at is not None and listed[row.id].replaced_by_id == new.id
    assert listed[new.id].revoked_at is None
    from vibeflow.errors import ConfigError

    with pytest.raises(ConfigError):
        await store.rotate(row.id)
    assert len(await store.list()) == 2
