"""Runs a coroutine against an open database so CLI handlers stay synchronous and short."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def with_service(work: Callable[..., Awaitable[T]]) -> T:
    """Open the store (migrating to head), build a DatasetService, run `work(service)`, close everything."""
    from vibeflow.data.versions import DatasetService
    from vibeflow.settings import load_settings
    from vibeflow.store.db import open_database

    async def run() -> T:
        settings = load_settings()
        async with open_database(settings) as db, db.session() as session:
            return await work(DatasetService(session, settings))

    return asyncio.run(run())
