"""FastAPI dependencies: one DB session and service per request."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request

from vibeflow.data.versions import DatasetService


async def dataset_service(request: Request) -> AsyncIterator[DatasetService]:
    async with request.app.state.db.session() as session:
        yield DatasetService(session, request.app.state.settings)
