"""Builds the FastAPI app: lifespan-owned store, bearer-token guard on every route, typed errors as 4xx JSON."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from vibeflow import __version__
from vibeflow.api import errors
from vibeflow.settings import Settings

OPEN_PATHS = frozenset({"/api/health"})


def create_app(settings: Settings, token: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from vibeflow.data.uploads import sweep_staging, uploads_dir
        from vibeflow.store.db import open_database
        from vibeflow.store.private import tighten

        await asyncio.to_thread(tighten, settings.home)  # what earlier versions left readable to others
        async with open_database(settings) as db:
            app.state.db = db
            sweep_staging(uploads_dir(settings.home))  # what a killed backend left half-uploaded
            yield

    app = FastAPI(
        title="VibeFlow API",
        version=__version__,
        description="Local API of the VibeFlow backend. Every route except /api/health needs "
        "`Authorization: Bearer <token>` (the token printed by `vibeflow serve` at a terminal, and in "
        "`$VIBEFLOW_HOME/server.json`).",
        lifespan=lifespan,
    )
    app.state.settings = settings
    expected = f"Bearer {token}".encode()

    @app.middleware("http")
    async def require_token(request: Request, call_next):  # noqa: ANN001, ANN202
        if request.url.path not in OPEN_PATHS:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return JSONResponse(
                    {
                        "error": "Unauthorized",
                        "message": "missing or wrong bearer token",
                        "fix": "send 'Authorization: Bearer <token>' with the token in $VIBEFLOW_HOME/server.json",
                    },
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        return await call_next(request)

    errors.install(app)

    @app.get("/api/health", tags=["system"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    from vibeflow.api import (
        routes_agent,
        routes_cloud,
        routes_data,
        routes_eval,
        routes_recommend,
        routes_runs,
        routes_serving,
    )

    for module in (
        routes_data,
        routes_runs,
        routes_recommend,
        routes_agent,
        routes_eval,
        routes_serving,
        routes_cloud,
    ):
        app.include_router(module.router)
    return app
