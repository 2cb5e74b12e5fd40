"""Error responses of the API: typed errors keep their status, and request validation failures (a missing field,
an integer past 64 bits, a wrong type) get the same body as every other error: `error`, `message`, `fix`,
`details`, plus FastAPI's `detail` list so the documented 422 schema still holds."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from vibeflow.errors import VibeFlowError


def _location(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    return ".".join(loc[1:] if len(loc) > 1 and loc[0] == "body" else loc)


def validation_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The usual error body for request validation errors (first problem in `message`, all in `details`)."""
    first = errors[0] if errors else {"msg": "invalid request"}
    where = _location(first)
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return {
        "error": "RequestValidationError",
        "message": f"{where + ': ' if where else ''}{first.get('msg', 'invalid value')}{more}",
        "fix": "correct the request: see /openapi.json for each field's type and limits",
        "file": None,
        "line": None,
        "details": {"errors": errors},
        "detail": errors,
    }


def install(app: FastAPI) -> None:
    """Register the error handlers on the app."""

    @app.exception_handler(VibeFlowError)
    async def vibeflow_error(_request: Request, error: VibeFlowError) -> JSONResponse:
        return JSONResponse(error.to_dict(), status_code=error.http_status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(jsonable_encoder(error.errors())), status_code=422)
