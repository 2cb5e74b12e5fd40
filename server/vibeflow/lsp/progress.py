"""Server-initiated `$/progress` (work done progress) for long work, throttled and safe without client support."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

MIN_INTERVAL_S = 0.1


def client_supports_progress(server: LanguageServer) -> bool:
    window = server.client_capabilities.window if server.protocol.client_capabilities else None
    return bool(window and window.work_done_progress)


class WorkProgress:
    """One progress bar: `await start()`, `report(done, total)`, `end()`; a no-op when the client has none."""

    def __init__(self, server: LanguageServer, title: str) -> None:
        self._server = server
        self._title = title
        self._token: str | None = None
        self._last_report = 0.0
        self._last_percent = -1

    async def start(self, message: str = "") -> None:
        if not client_supports_progress(self._server):
            return
        token = f"vibeflow-{uuid.uuid4().hex[:12]}"
        try:
            await self._server.work_done_progress.create_async(token)
        except Exception:  # noqa: BLE001 - a client that refuses progress still gets its diagnostics
            return
        self._token = token
        self._server.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(title=self._title, message=message, percentage=0, cancellable=False),
        )

    def report(self, done: int, total: int, message: str = "") -> None:
        if self._token is None or total <= 0:
            return
        percent = min(100, int(100 * done / total))
        now = time.monotonic()
        if percent == self._last_percent or now - self._last_report < MIN_INTERVAL_S:
            return
        self._last_percent, self._last_report = percent, now
        self._server.work_done_progress.report(
            self._token,
            types.WorkDoneProgressReport(message=message or f"{done:,}/{total:,}", percentage=percent),
        )

    def end(self, message: str = "done") -> None:
        if self._token is None:
            return
        self._server.work_done_progress.end(self._token, types.WorkDoneProgressEnd(message=message))
        self._server.work_done_progress.tokens.pop(self._token, None)
        self._token = None
