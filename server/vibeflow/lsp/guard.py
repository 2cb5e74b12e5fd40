"""Wraps every feature handler so a malformed document or a bug never takes the server down.

A failing handler logs the error to the client's output channel (and stderr), answers with an empty result,
and the server carries on with the next request.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types

from vibeflow.errors import VibeFlowError

logger = logging.getLogger("vibeflow.lsp")

F = TypeVar("F", bound=Callable[..., Any])


def report_failure(server: Any, where: str, error: BaseException) -> None:
    if isinstance(error, VibeFlowError):
        text = f"{where}: {error.message}" + (f" (fix: {error.fix})" if error.fix else "")
        logger.warning(text)
    else:
        text = f"{where} failed: {type(error).__name__}: {error}"
        logger.exception(text, exc_info=error)
    try:
        server.status.log(text, types.MessageType.Error)
    except Exception:  # noqa: BLE001 - reporting must never raise
        logger.warning("could not report an error to the client")


def guarded(default: Any = None) -> Callable[[F], F]:
    """Decorate `(server, params)` handlers, sync or async: exceptions become a log line and `default`."""

    def decorate(handler: F) -> F:
        where = handler.__name__.replace("_", " ")
        if inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def run_async(server: Any, *args: Any) -> Any:
                try:
                    return await handler(server, *args)
                except Exception as error:  # noqa: BLE001 - see module docstring
                    report_failure(server, where, error)
                    return default() if callable(default) else default

            return run_async  # type: ignore[return-value]

        @functools.wraps(handler)
        def run(server: Any, *args: Any) -> Any:
            try:
                return handler(server, *args)
            except Exception as error:  # noqa: BLE001 - see module docstring
                report_failure(server, where, error)
                return default() if callable(default) else default

        return run  # type: ignore[return-value]

    return decorate
